package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/platformhq/platform/domain"
)

// DepthLimit refuses operations whose selections nest deeper than Max
// (counting fields, through fragments and inline fragments) with
// extensions.code VALIDATION_FAILED, before anything runs.
//
// Introspection (__schema, __type) is not counted: gqlparser's
// MaxIntrospectionDepth rule already bounds it, and the standard
// introspection query (GraphiQL's) nests __Type.ofType eight deep.
type DepthLimit struct {
	Max int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = DepthLimit{}

func init() {
	// Operations refused before they run (depth and complexity limits) answer
	// like gqlgen's own validation errors: HTTP 422, and an "error" message
	// on websockets.
	errcode.RegisterErrorType(domain.CodeValidationFailed, errcode.KindProtocol)
	errcode.RegisterErrorType("COMPLEXITY_LIMIT_EXCEEDED", errcode.KindProtocol)
}

// ExtensionName names the extension.
func (DepthLimit) ExtensionName() string { return "DepthLimit" }

// Validate accepts any schema.
func (DepthLimit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext measures the operation about to run.
func (d DepthLimit) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := depthWalker{doc: oc.Doc, fragments: map[string]int{}}
	if depth := w.selectionSet(oc.Operation.SelectionSet); depth > d.Max {
		err := gqlerror.Errorf("The operation is nested %d levels deep; the limit is %d.", depth, d.Max)
		err.Extensions = map[string]any{"code": domain.CodeValidationFailed, "max_depth": d.Max, "depth": depth}
		return err
	}
	return nil
}

// depthWalker measures selection sets. A fragment's depth does not depend on
// where it is spread, so each is measured once (spreading fragments into
// fragments cannot make the walk exponential).
type depthWalker struct {
	doc       *ast.QueryDocument
	fragments map[string]int // name → depth; -1 while being measured
}

// selectionSet is the number of nested fields of the deepest path in set.
func (w *depthWalker) selectionSet(set ast.SelectionSet) int {
	deepest := 0
	for _, sel := range set {
		depth := 0
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				continue
			}
			depth = 1 + w.selectionSet(s.SelectionSet)
		case *ast.InlineFragment:
			depth = w.selectionSet(s.SelectionSet)
		case *ast.FragmentSpread:
			depth = w.fragment(s)
		}
		deepest = max(deepest, depth)
	}
	return deepest
}

func (w *depthWalker) fragment(s *ast.FragmentSpread) int {
	if d, ok := w.fragments[s.Name]; ok {
		return max(d, 0) // a cycle (refused by validation anyway) adds nothing
	}
	def := s.Definition
	if def == nil && w.doc != nil {
		def = w.doc.Fragments.ForName(s.Name)
	}
	if def == nil {
		return 0
	}
	w.fragments[s.Name] = -1
	d := w.selectionSet(def.SelectionSet)
	w.fragments[s.Name] = d
	return d
}
