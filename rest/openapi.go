package rest

import (
	"encoding"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/platformhq/platform/domain"
)

// OpenAPIVersion is the version of the OpenAPI specification the document
// served at /docs/openapi.json follows.
const OpenAPIVersion = "3.1.0"

// OpenAPI builds the OpenAPI document of the route table: one operation per
// entry, with parameters, request and response schemas reflected from the
// entry's Operation types. Every call builds a fresh document (callers may
// change it); GET /docs/openapi.json serves one built on first use. The
// values marshal to the document with encoding/json.
func (a *API) OpenAPI() map[string]any {
	g := &specGen{api: a, opIDs: map[string]bool{}, schemas: newSchemaReflector()}
	paths := map[string]any{}
	var tags []any
	seenTag := map[string]bool{}
	for _, r := range a.routes {
		p := openAPIPath(r)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(r.Method)] = g.operation(r)
		if !seenTag[r.Section] {
			seenTag[r.Section] = true
			tags = append(tags, obj{"name": r.Section})
		}
	}
	version := a.cfg.Version
	if version == "" {
		version = "dev"
	}
	return obj{
		"openapi": OpenAPIVersion,
		"info": obj{
			"title":       "Platform API",
			"version":     version,
			"description": apiDescription,
		},
		"servers":    []any{obj{"url": "/"}},
		"tags":       tags,
		"paths":      paths,
		"components": g.components(),
	}
}

// obj is a JSON object of the document.
type obj = map[string]any

// apiDescription is the document's introduction (markdown); "´" stands for
// a backquote, which a Go raw string cannot hold.
var apiDescription = strings.ReplaceAll(`A multi-tenant backend: typed objects and search, associations, double-entry books, end-user identity, files, events and AI, over REST (this document) and GraphQL (´/graphql´).

**Envelope.** Every ´/v1´ answer is JSON. Success is ´{"success": true, "data": ..., "request_id": "req_..."}´; failure is ´{"success": false, "error": {"code": "NOT_FOUND", "message": "...", ...}, "request_id": "req_..."}´. Error codes are stable upper snake case (each error answer lists its codes); ´VALIDATION_FAILED´ names the offending members in ´error.fields´ (´{"label": ["is required"]}´). The request id is echoed in the ´X-Request-Id´ header; a request may send its own (at most 64 characters of ´[A-Za-z0-9_-]´). Unknown body members and query parameters are ignored; wrong types are ´VALIDATION_FAILED´.

**Authentication.** Send an API key as ´Authorization: Bearer sk_...´ or ´X-API-Key: sk_...´; a key belongs to one tenant. End-user endpoints under ´/v1/auth/*´ take the tenant's key as their bearer (it names the tenant), then the user's access token once logged in. The platform-admin API (´/v1/admin/*´) takes the ´PLATFORM_ADMIN_KEY´.

**Scopes.** A key holds scopes among ´read´, ´write´, ´schema´, ´files´, ´auth´, ´ai´ and ´*´ (everything, including keys, webhooks, billing and tenant settings); a key with no scopes is a publishable key, limited to the end-user endpoints. Each operation names the scope it needs (´x-scope´) and the RBAC permission an end user's roles must grant (´x-permission´). A missing scope is ´403 INSUFFICIENT_SCOPE´ with ´error.required_scope´.

**Rate limits.** Authenticated answers carry ´X-RateLimit-Limit´, ´X-RateLimit-Remaining´ and ´X-RateLimit-Reset´ (epoch seconds) for the tightest window, plus ´X-RateLimit-Limit-Minute´, ´X-RateLimit-Remaining-Minute´, ´X-RateLimit-Limit-Hour´ and ´X-RateLimit-Remaining-Hour´. Public routes are limited per client IP. Past the limit the answer is ´429 RATE_LIMITED´ with ´Retry-After´ (seconds).

**Idempotency.** Any ´POST´ may carry an ´Idempotency-Key´: the first answer is kept for 24 hours (per tenant and key) and replayed for a retry with the same body; the same key with a different body is ´409 IDEMPOTENCY_CONFLICT´.

**Pagination.** Cursor lists answer ´{"results": [...], "next_cursor": string|null, "total": int}´ and take ´cursor´ and ´limit´; offset lists answer their documented key (´users´, ´logs´, ...) with ´total´ and take ´limit´ and ´offset´. ´limit´ defaults to 20 and is clamped to 100; cursors are opaque and tamper-evident. Lists answered as a bare array hold at most 1,000 items.

**Updates and deletes.** Updates are partial ´PATCH´es; ´PUT´ on the same path is an alias. A delete guarded by dependencies answers ´409 DEPENDENCY_EXISTS´ with ´dependencies´ and a single-use ´confirm_token´; repeat it with ´?force=true&confirm_token=...´ to cascade.

**Planned endpoints.** Operations marked ´x-implemented: false´ are in the reference but not in this build yet: they answer ´501 NOT_IMPLEMENTED´.`, "´", "`")

// openAPIPath is the route's path in OpenAPI form: "{param}" segments, and a
// trailing chi wildcard "/*" as the parameter "{path}".
func openAPIPath(r Route) string {
	p := r.ChiPath()
	if strings.HasSuffix(p, "/*") {
		p = strings.TrimSuffix(p, "*") + "{" + wildcardParam + "}"
	}
	return p
}

const wildcardParam = "path"

// rawContentTypes are the answers of Raw routes, which are not the envelope.
var rawContentTypes = map[string]string{
	"/":                  "text/html",
	"/docs":              "text/html",
	"/docs/openapi.json": "application/json",
	"/graphql":           "application/json",
}

// specGen builds the operations of one document.
type specGen struct {
	api     *API
	opIDs   map[string]bool
	schemas *schemaReflector
}

func (g *specGen) operation(r Route) obj {
	op := obj{
		"operationId":   g.operationID(r),
		"summary":       r.Summary,
		"description":   g.describe(r),
		"tags":          []any{r.Section},
		"security":      security(r.Auth),
		"responses":     g.responses(r),
		"x-auth":        r.Auth.String(),
		"x-body-limit":  r.bodyLimit(),
		"x-implemented": r.Implemented(),
	}
	if r.Scope != "" {
		op["x-scope"] = r.Scope
	}
	if r.Permission != "" {
		op["x-permission"] = r.Permission
	}
	if params := g.parameters(r); len(params) > 0 {
		op["parameters"] = params
	}
	if body := g.requestBody(r); body != nil {
		op["requestBody"] = body
	}
	return op
}

// operationID is the summary in lower camel case ("List API keys" →
// "listApiKeys"), or the method and path when another entry took it.
func (g *specGen) operationID(r Route) string {
	id := camel(r.Summary)
	if id == "" || g.opIDs[id] {
		id = camel(r.Method + " " + strings.NewReplacer(":", " by ", "*", " any").Replace(r.Path))
	}
	for base, n := id, 2; g.opIDs[id]; n++ {
		id = base + strconv.Itoa(n)
	}
	g.opIDs[id] = true
	return id
}

func camel(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var b strings.Builder
	for i, w := range words {
		w = strings.ToLower(w)
		if i > 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
	}
	return b.String()
}

func (g *specGen) describe(r Route) string {
	var lines []string
	if !r.Implemented() {
		lines = append(lines, "**Planned.** This endpoint is part of the API reference but not implemented in this build yet: it answers `501 NOT_IMPLEMENTED`.")
	}
	switch {
	case r.Auth == Admin:
		lines = append(lines, "Needs the platform admin key (`PLATFORM_ADMIN_KEY`).")
	case r.Auth == Public:
		lines = append(lines, "No credential needed.")
	case r.Auth == Optional:
		lines = append(lines, "A credential is optional; a bad one is refused.")
	case r.Scope != "":
		lines = append(lines, fmt.Sprintf("Needs an API key with scope `%s`.", r.Scope))
	case strings.HasPrefix(r.Path, "/v1/auth/"):
		lines = append(lines, "Bearer: the tenant's API key (a publishable key will do), or the end user's access token.")
	default:
		lines = append(lines, "Any credential of the tenant.")
	}
	if r.Permission != "" {
		lines = append(lines, fmt.Sprintf("End users need the permission `%s`.", r.Permission))
	}
	if r.Method == http.MethodPatch && !g.api.hasRoute(http.MethodPut, r.Path) {
		lines = append(lines, "`PUT` on the same path is accepted as an alias.")
	}
	if hasBody(r.Method) && r.Raw == nil {
		lines = append(lines, fmt.Sprintf("Request bodies are limited to %d bytes.", r.bodyLimit()))
	}
	return strings.Join(lines, "\n\n")
}

func hasBody(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

// security is the operation's requirement per auth mode; an empty
// requirement object lets anonymous callers through.
func security(m AuthMode) []any {
	key := []any{obj{"ApiKeyBearer": []any{}}, obj{"ApiKeyHeader": []any{}}}
	switch m {
	case Bearer:
		return key
	case Optional:
		return append(key, obj{})
	case Admin:
		return []any{obj{"PlatformAdmin": []any{}}}
	}
	return []any{}
}

// inType is the operation's input struct type, nil when it has none.
func inType(r Route) reflect.Type {
	if r.Op == nil || r.Op.In == nil {
		return nil
	}
	t := r.Op.In
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// parameters lists path parameters (from the path, typed by the input's
// path fields), the input's query and header parameters, and Idempotency-Key
// on POSTs.
func (g *specGen) parameters(r Route) []any {
	in := inType(r)
	fields := paramFields(in)
	var out []any
	names := r.PathParams()
	if strings.HasSuffix(r.Path, "/*") {
		names = append(names, wildcardParam)
	}
	for _, name := range names {
		p := obj{"name": name, "in": "path", "required": true, "schema": obj{"type": "string"}}
		if name == wildcardParam {
			p["description"] = "The rest of the path (may contain slashes)."
		}
		for _, f := range fields {
			if f.in == "path" && f.name == name {
				p["schema"] = g.paramSchema(f.field.Type)
				setDoc(p, f.field)
			}
		}
		out = append(out, p)
	}
	seen := map[string]bool{}
	for _, f := range fields {
		key := f.in + ":" + strings.ToLower(f.name)
		if f.in == "path" || seen[key] || (f.in == "header" && credentialHeaders[strings.ToLower(f.name)]) {
			continue
		}
		seen[key] = true
		p := obj{"name": f.name, "in": f.in, "schema": g.paramSchema(f.field.Type)}
		if f.field.Tag.Get("required") == "true" {
			p["required"] = true
		}
		setDoc(p, f.field)
		out = append(out, p)
	}
	if r.Method == http.MethodPost && r.Raw == nil && !seen["header:idempotency-key"] {
		out = append(out, obj{"$ref": "#/components/parameters/IdempotencyKey"})
	}
	return out
}

// credentialHeaders are described by the security schemes, not as parameters.
var credentialHeaders = map[string]bool{"authorization": true, "x-api-key": true, "content-type": true}

// paramSchema is the schema of a path, query or header value: never null.
func (g *specGen) paramSchema(t reflect.Type) obj {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return g.schemas.schema(t, true)
}

func setDoc(p obj, f reflect.StructField) {
	if d := f.Tag.Get("doc"); d != "" {
		p["description"] = d
	}
}

type paramField struct {
	in, name string
	field    reflect.StructField
}

// paramFields lists the path, query and header fields of t, through
// embedded structs, as bindParams reads them.
func paramFields(t reflect.Type) []paramField {
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var out []paramField
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, paramFields(f.Type)...)
			continue
		}
		for _, in := range []string{"path", "query", "header"} {
			if name := f.Tag.Get(in); name != "" {
				out = append(out, paramField{in: in, name: name, field: f})
				break
			}
		}
	}
	return out
}

func isParamField(f reflect.StructField) bool {
	return f.Tag.Get("path") != "" || f.Tag.Get("query") != "" || f.Tag.Get("header") != ""
}

// requestBody is the input's JSON members, for each accepted content type.
func (g *specGen) requestBody(r Route) obj {
	in := inType(r)
	if in == nil || (!hasBody(r.Method) && r.Method != http.MethodDelete) {
		return nil
	}
	schema := g.schemas.schema(in, true)
	if in.Kind() == reflect.Struct {
		if props, _ := schema["properties"].(*properties); props == nil || len(props.names) == 0 {
			return nil // path, query and header parameters only
		}
	}
	content := obj{}
	for _, ct := range r.accepts() {
		if isJSONish(ct) {
			content[ct] = obj{"schema": schema}
		} else {
			content[ct] = obj{}
		}
	}
	_, required := schema["required"]
	return obj{"required": required, "content": content}
}

func isJSONish(ct string) bool {
	return ct == JSON || strings.HasSuffix(ct, "+json") ||
		ct == "multipart/form-data" || ct == "application/x-www-form-urlencoded"
}

// responses is the success answer and the errors the route may give.
func (g *specGen) responses(r Route) obj {
	out := obj{strconv.Itoa(r.status()): g.success(r)}
	for _, status := range errorStatuses(r) {
		out[strconv.Itoa(status)] = obj{"$ref": "#/components/responses/" + errorResponses[status].name}
	}
	return out
}

func (g *specGen) success(r Route) obj {
	headers := obj{"X-Request-Id": obj{"$ref": "#/components/headers/X-Request-Id"}}
	if rateLimited(r) {
		for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
			headers[h] = obj{"$ref": "#/components/headers/" + h}
		}
	}
	res := obj{"description": http.StatusText(r.status()), "headers": headers}
	switch {
	case r.Op != nil:
		data := obj{}
		if r.Op.Out != nil {
			data = g.schemas.schema(r.Op.Out, false)
		}
		res["content"] = obj{JSON: obj{"schema": envelope(data)}}
	case r.Raw != nil:
		ct, ok := rawContentTypes[r.Path]
		if !ok {
			ct = "*/*"
		}
		res["description"] = "Served as is (not the JSON envelope)."
		res["content"] = obj{ct: obj{}}
	default:
		res["description"] = "Planned: the answer's `data` is not documented yet."
		res["content"] = obj{JSON: obj{"schema": envelope(obj{})}}
	}
	return res
}

// envelope is the success envelope around data.
func envelope(data obj) obj {
	return obj{
		"type":     "object",
		"required": []any{"success", "data", "request_id"},
		"properties": &properties{
			names:   []string{"success", "data", "request_id"},
			schemas: map[string]obj{"success": {"type": "boolean", "const": true}, "data": data, "request_id": {"type": "string"}},
		},
	}
}

// errorStatuses are the error answers relevant to r.
func errorStatuses(r Route) []int {
	var out []int
	add := func(ok bool, status int) {
		if ok {
			out = append(out, status)
		}
	}
	typed := r.Raw == nil
	add(typed && (inType(r) != nil || (r.Op == nil && hasBody(r.Method))), http.StatusBadRequest)
	add(r.Auth != Public, http.StatusUnauthorized)
	add(r.Auth == Bearer || r.Auth == Optional, http.StatusForbidden)
	add(len(r.PathParams()) > 0, http.StatusNotFound)
	add(typed && r.Method != http.MethodGet, http.StatusConflict)
	add(typed && hasBody(r.Method), http.StatusRequestEntityTooLarge)
	add(rateLimited(r), http.StatusTooManyRequests)
	add(true, http.StatusInternalServerError)
	add(!r.Implemented(), http.StatusNotImplemented)
	return out
}

// errorResponse is a shared error answer of components/responses.
type errorResponse struct {
	name    string
	example obj
}

var errorResponses = map[int]errorResponse{
	http.StatusBadRequest: {"BadRequest", obj{"code": domain.CodeValidationFailed, "message": "Validation failed.",
		"fields": obj{"label": []any{"must be at most 200 characters"}}}},
	http.StatusUnauthorized: {"Unauthorized", obj{"code": domain.CodeUnauthorized,
		"message": "Send an API key as Authorization: Bearer <key> or X-API-Key."}},
	http.StatusForbidden: {"Forbidden", obj{"code": domain.CodeInsufficientScope,
		"message": "This API key lacks the scope \"write\".", "required_scope": "write"}},
	http.StatusNotFound:              {"NotFound", obj{"code": domain.CodeNotFound, "message": "Object not found"}},
	http.StatusConflict:              {"Conflict", obj{"code": domain.CodeConflict, "message": "The resource changed meanwhile."}},
	http.StatusRequestEntityTooLarge: {"PayloadTooLarge", obj{"code": domain.CodePayloadTooLarge, "message": "The request body exceeds 1048576 bytes.", "max_bytes": DefaultBodyLimit}},
	http.StatusTooManyRequests:       {"RateLimited", obj{"code": domain.CodeRateLimited, "message": "Rate limit exceeded; retry in 12 seconds.", "retry_after": 12}},
	http.StatusInternalServerError:   {"Internal", obj{"code": domain.CodeInternal, "message": "Internal error."}},
	http.StatusNotImplemented:        {"NotImplemented", obj{"code": domain.CodeNotImplemented, "message": "GET /v1/webhooks is not implemented yet."}},
}

// rateLimited reports whether r counts against a rate limit (probes count
// only for authenticated callers; the platform admin is never limited).
func rateLimited(r Route) bool { return r.Auth != Admin && !r.NoRateLimit }

// components are the shared schemes, headers, parameters and answers.
func (g *specGen) components() obj {
	schemas := obj{"Error": errorSchema()}
	for name, s := range g.schemas.components {
		schemas[name] = s
	}
	responses := obj{}
	for status, er := range errorResponses {
		res := obj{
			"description": errorDescription(status),
			"headers":     obj{"X-Request-Id": obj{"$ref": "#/components/headers/X-Request-Id"}},
			"content": obj{JSON: obj{
				"schema":  obj{"$ref": "#/components/schemas/Error"},
				"example": obj{"success": false, "error": er.example, "request_id": "req_01HZX3K6Q8T7V2M4N5P9R0S1W2"},
			}},
		}
		switch status {
		case http.StatusTooManyRequests:
			res["headers"].(obj)["Retry-After"] = obj{"$ref": "#/components/headers/Retry-After"}
		case http.StatusUnauthorized:
			res["headers"].(obj)["WWW-Authenticate"] = obj{"description": "`Bearer realm=\"api\"` when no credential was sent.",
				"schema": obj{"type": "string"}}
		}
		responses[er.name] = res
	}
	intHeader := func(d string) obj { return obj{"description": d, "schema": obj{"type": "integer"}} }
	headers := obj{
		"X-Request-Id":                 obj{"description": "The request's id, also in the envelope's `request_id`.", "schema": obj{"type": "string"}},
		"Retry-After":                  intHeader("Seconds to wait before retrying."),
		"X-RateLimit-Limit":            intHeader("Allowance of the tightest window."),
		"X-RateLimit-Remaining":        intHeader("Requests left in the tightest window."),
		"X-RateLimit-Reset":            intHeader("When the tightest window resets (epoch seconds)."),
		"X-RateLimit-Limit-Minute":     intHeader("Allowance per minute."),
		"X-RateLimit-Remaining-Minute": intHeader("Requests left this minute."),
		"X-RateLimit-Limit-Hour":       intHeader("Allowance per hour."),
		"X-RateLimit-Remaining-Hour":   intHeader("Requests left this hour."),
	}
	return obj{
		"schemas":   schemas,
		"responses": responses,
		"headers":   headers,
		"parameters": obj{"IdempotencyKey": obj{
			"name": "Idempotency-Key", "in": "header", "schema": obj{"type": "string", "maxLength": 255},
			"description": "Makes a retry safe: the first answer is replayed for 24 hours to a retry with the same body; " +
				"a different body is `409 IDEMPOTENCY_CONFLICT`.",
		}},
		"securitySchemes": obj{
			"ApiKeyBearer": obj{"type": "http", "scheme": "bearer",
				"description": "An API key (`sk_...`) as `Authorization: Bearer`; for end-user endpoints, the user's access token."},
			"ApiKeyHeader": obj{"type": "apiKey", "in": "header", "name": "X-API-Key",
				"description": "An API key (`sk_...`) in the `X-API-Key` header."},
			"PlatformAdmin": obj{"type": "http", "scheme": "bearer",
				"description": "The platform admin key (`PLATFORM_ADMIN_KEY`), for `/v1/admin/*`."},
		},
	}
}

// errorDescription names the codes answered with status, from statusByCode.
func errorDescription(status int) string {
	var codes []string
	for code, s := range statusByCode {
		if s == status {
			codes = append(codes, "`"+code+"`")
		}
	}
	slices.Sort(codes)
	d := http.StatusText(status)
	if status == http.StatusNotImplemented {
		d = "Planned: the endpoint is in the reference but not implemented in this build yet"
	}
	if len(codes) == 0 {
		return d + "."
	}
	return d + ". Codes: " + strings.Join(codes, ", ") + "."
}

// errorSchema is the error envelope.
func errorSchema() obj {
	return obj{
		"type":     "object",
		"required": []any{"success", "error", "request_id"},
		"properties": &properties{
			names: []string{"success", "error", "request_id"},
			schemas: map[string]obj{
				"success": {"type": "boolean", "const": false},
				"error": {
					"type":     "object",
					"required": []any{"code", "message"},
					"properties": &properties{
						names: []string{"code", "message", "fields"},
						schemas: map[string]obj{
							"code":    {"type": "string", "description": "Stable, upper snake case.", "examples": []any{domain.CodeNotFound}},
							"message": {"type": "string", "description": "Safe to show; not meant for parsing."},
							"fields": {"type": "object", "description": "Per member messages of a VALIDATION_FAILED error.",
								"additionalProperties": obj{"type": "array", "items": obj{"type": "string"}}},
						},
					},
					"additionalProperties": true,
					"description":          "Other members carry the code's details (`required_scope`, `retry_after`, `dependencies`, `confirm_token`, ...).",
				},
				"request_id": {"type": "string"},
			},
		},
	}
}

// properties is a schema's "properties" in declaration order.
type properties struct {
	names   []string
	schemas map[string]obj
}

// MarshalJSON writes the members in declaration order.
func (p *properties) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range p.names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(n)
		v, err := json.Marshal(p.schemas[n])
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// schemaProvider lets a type describe its own JSON form (a type with a
// custom encoding, such as a decimal): a method
// OpenAPISchema() map[string]any on the value or its pointer.
type schemaProvider interface {
	OpenAPISchema() map[string]any
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	numberType      = reflect.TypeFor[json.Number]()
	providerType    = reflect.TypeFor[schemaProvider]()
	marshalerType   = reflect.TypeFor[json.Marshaler]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textMarshType   = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// schemaReflector derives JSON schemas from Go types as encoding/json
// writes (responses) or reads (requests) them. Schemas are inline; a
// self-referential struct becomes a component referred to by $ref.
type schemaReflector struct {
	components map[string]obj
	names      map[schemaKey]string
	taken      map[string]bool
	building   map[schemaKey]bool
}

// schemaKey is a type in one direction: requests and responses differ in
// their required members and skipped fields.
type schemaKey struct {
	t       reflect.Type
	request bool
}

func newSchemaReflector() *schemaReflector {
	return &schemaReflector{components: map[string]obj{}, names: map[schemaKey]string{},
		taken: map[string]bool{"Error": true}, building: map[schemaKey]bool{}}
}

// schema is the JSON schema of t; request selects the request reading.
func (sr *schemaReflector) schema(t reflect.Type, request bool) obj {
	switch {
	case t == nil || t == rawMessageType:
		return obj{}
	case t == timeType:
		return obj{"type": "string", "format": "date-time"}
	case t == numberType:
		return obj{"type": "number"}
	}
	if s, ok := providedSchema(t); ok {
		return s
	}
	if elem, ok := optionalElem(t); ok {
		return nullable(sr.schema(elem, request))
	}
	if t.Kind() == reflect.Pointer {
		return nullable(sr.schema(t.Elem(), request))
	}
	if s, ok := customEncoding(t, request); ok {
		return s
	}
	switch t.Kind() {
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int:
		return obj{"type": "integer"}
	case reflect.Int64:
		return obj{"type": "integer", "format": "int64"}
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return obj{"type": "integer", "format": "int32"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return obj{"type": "integer", "minimum": 0}
	case reflect.Float32:
		return obj{"type": "number", "format": "float"}
	case reflect.Float64:
		return obj{"type": "number", "format": "double"}
	case reflect.String:
		return obj{"type": "string"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return obj{"type": "string", "contentEncoding": "base64"}
		}
		return obj{"type": "array", "items": sr.schema(t.Elem(), request)}
	case reflect.Array:
		return obj{"type": "array", "items": sr.schema(t.Elem(), request), "minItems": t.Len(), "maxItems": t.Len()}
	case reflect.Map:
		return obj{"type": "object", "additionalProperties": sr.schema(t.Elem(), request)}
	case reflect.Struct:
		return sr.structSchema(t, request)
	}
	return obj{} // interfaces: any value
}

// providedSchema is the schema a (non-pointer) type gives of itself.
func providedSchema(t reflect.Type) (obj, bool) {
	switch {
	case t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface:
		return nil, false
	case t.Implements(providerType):
		return obj(reflect.Zero(t).Interface().(schemaProvider).OpenAPISchema()), true
	case reflect.PointerTo(t).Implements(providerType):
		return obj(reflect.New(t).Interface().(schemaProvider).OpenAPISchema()), true
	}
	return nil, false
}

// optionalElem recognizes domain.Optional[T] (a PATCH member that may be
// absent or null) by its name and shape, and returns T.
func optionalElem(t reflect.Type) (reflect.Type, bool) {
	if t.Kind() != reflect.Struct || !strings.HasPrefix(t.Name(), "Optional[") {
		return nil, false
	}
	f, ok := t.FieldByName("Value")
	if !ok || f.Type.Kind() != reflect.Pointer {
		return nil, false
	}
	return f.Type.Elem(), true
}

// customEncoding describes types that encode themselves: text encoders are
// strings; JSON encoders may write anything.
func customEncoding(t reflect.Type, request bool) (obj, bool) {
	implements := func(iface reflect.Type) bool { return t.Implements(iface) || reflect.PointerTo(t).Implements(iface) }
	jsonIface, textIface := marshalerType, textMarshType
	if request {
		jsonIface, textIface = unmarshalerType, textUnmarshType
	}
	switch {
	case implements(jsonIface):
		return obj{}, true
	case implements(textIface):
		return obj{"type": "string"}, true
	}
	return nil, false
}

// nullable lets s also be null: a type list for simple schemas, anyOf for
// the others.
func nullable(s obj) obj {
	if len(s) == 0 {
		return s // any value, null included
	}
	if _, isRef := s["$ref"]; !isRef {
		switch t := s["type"].(type) {
		case string:
			out := obj{}
			for k, v := range s {
				out[k] = v
			}
			out["type"] = []any{t, "null"}
			if enum, ok := s["enum"].([]any); ok {
				out["enum"] = append(slices.Clone(enum), nil)
			}
			return out
		case []any:
			if slices.Contains(t, any("null")) {
				return s
			}
		}
	}
	return obj{"anyOf": []any{s, obj{"type": "null"}}}
}

// structSchema is an object of t's JSON members: embedded structs are
// flattened, omitempty members are optional in responses, and request
// members are required only when tagged required:"true".
func (sr *schemaReflector) structSchema(t reflect.Type, request bool) obj {
	key := schemaKey{t, request}
	if sr.building[key] { // recursion: refer to the component being built
		return obj{"$ref": "#/components/schemas/" + sr.componentName(key)}
	}
	if name, ok := sr.names[key]; ok {
		return obj{"$ref": "#/components/schemas/" + name}
	}
	sr.building[key] = true
	defer delete(sr.building, key)

	props := &properties{schemas: map[string]obj{}}
	var required []any
	for _, f := range jsonFields(t, request) {
		s := sr.schema(f.typ, request)
		if f.asString {
			s = stringEncoded(f.typ, s)
		}
		if d := f.sf.Tag.Get("doc"); d != "" {
			s = withDescription(s, d)
		}
		props.names = append(props.names, f.name)
		props.schemas[f.name] = s
		if request && f.sf.Tag.Get("required") == "true" || !request && !f.omit {
			required = append(required, f.name)
		}
	}
	s := obj{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	if name, ok := sr.names[key]; ok { // it referred to itself
		sr.components[name] = s
		return obj{"$ref": "#/components/schemas/" + name}
	}
	return s
}

// componentName names the component of a recursive type, once.
func (sr *schemaReflector) componentName(key schemaKey) string {
	if name, ok := sr.names[key]; ok {
		return name
	}
	base := typeName(key.t)
	if key.request {
		base += "Input"
	}
	name := base
	for n := 2; sr.taken[name]; n++ {
		name = base + strconv.Itoa(n)
	}
	sr.taken[name] = true
	sr.names[key] = name
	return name
}

var pkgPathPrefix = regexp.MustCompile(`[\w.\-]+/`)

// typeName is t's name without package paths, fit for a component key
// ("Page[github.com/x/tenancy.Tenant]" → "Page_tenancy.Tenant").
func typeName(t reflect.Type) string {
	name := pkgPathPrefix.ReplaceAllString(t.Name(), "")
	name = strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_') {
			return r
		}
		return '_'
	}, name)
	name = strings.Trim(name, "_")
	if name == "" {
		return "Object"
	}
	return name
}

func withDescription(s obj, d string) obj {
	out := obj{"description": d}
	for k, v := range s {
		out[k] = v
	}
	return out
}

// stringEncoded is the schema of a ",string" member: numbers and booleans
// are written as JSON strings.
func stringEncoded(t reflect.Type, s obj) obj {
	ptr := t.Kind() == reflect.Pointer
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		s = obj{"type": "string"}
		if ptr {
			s = nullable(s)
		}
	}
	return s
}

// jsonField is one member of a struct's JSON object.
type jsonField struct {
	name     string
	typ      reflect.Type
	sf       reflect.StructField
	depth    int
	tagged   bool
	omit     bool
	asString bool
}

// jsonFields lists t's JSON members as encoding/json sees them: exported
// fields named by their json tag, embedded untagged structs promoted, and of
// several members of one name the shallowest (or the only tagged one) kept.
// Requests leave out path, query and header fields.
func jsonFields(t reflect.Type, request bool) []jsonField {
	var all []jsonField
	collectFields(t, request, 0, map[reflect.Type]bool{t: true}, &all)
	byName := map[string][]jsonField{}
	var order []string
	for _, f := range all {
		if _, ok := byName[f.name]; !ok {
			order = append(order, f.name)
		}
		byName[f.name] = append(byName[f.name], f)
	}
	var out []jsonField
	for _, name := range order {
		if f, ok := dominantField(byName[name]); ok {
			out = append(out, f)
		}
	}
	return out
}

func dominantField(fs []jsonField) (jsonField, bool) {
	minDepth := slices.MinFunc(fs, func(a, b jsonField) int { return a.depth - b.depth }).depth
	var top []jsonField
	for _, f := range fs {
		if f.depth == minDepth {
			top = append(top, f)
		}
	}
	if len(top) == 1 {
		return top[0], true
	}
	var tagged []jsonField
	for _, f := range top {
		if f.tagged {
			tagged = append(tagged, f)
		}
	}
	if len(tagged) == 1 {
		return tagged[0], true
	}
	return jsonField{}, false // ambiguous: encoding/json drops them all
}

func collectFields(t reflect.Type, request bool, depth int, visiting map[reflect.Type]bool, out *[]jsonField) {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" || request && isParamField(sf) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := sf.Type
		if sf.Anonymous {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if name == "" && et.Kind() == reflect.Struct {
				if !visiting[et] {
					visiting[et] = true
					collectFields(et, request, depth+1, visiting, out)
					delete(visiting, et)
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		f := jsonField{name: name, typ: ft, sf: sf, depth: depth, tagged: name != ""}
		if f.name == "" {
			f.name = sf.Name
		}
		for o := range strings.SplitSeq(opts, ",") {
			switch o {
			case "omitempty", "omitzero":
				f.omit = true
			case "string":
				f.asString = true
			}
		}
		*out = append(*out, f)
	}
}
