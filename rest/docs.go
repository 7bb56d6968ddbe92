package rest

import "net/http"

// docsUI serves the interactive API reference.
func (a *API) docsUI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "docs UI pending", http.StatusNotImplemented)
	})
}

// openAPIHandler serves the OpenAPI document built from the route table.
func (a *API) openAPIHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "openapi pending", http.StatusNotImplemented)
	})
}
