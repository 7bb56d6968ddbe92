package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
)

// A scenario builds the requests of one client; a request carries how
// many records it stands for (100 for a batch) so that records/s can be
// reported beside req/s.
type scenario struct {
	name    string
	records int
	// request returns method, path and JSON body of the next request.
	request func(st *State, rng *rand.Rand, seq int) (string, string, []byte)
	// check looks at a 2xx answer's body (nil: any 2xx is fine).
	check func(body []byte) error
}

var scenarios = map[string]scenario{
	"get":    {name: "get", records: 1, request: getRequest},
	"create": {name: "create", records: 1, request: createRequest},
	"update": {name: "update", records: 1, request: updateRequest},
	"search": {name: "search", records: 1, request: searchRequest, check: checkSearch},
	"batch":  {name: "batch", records: batchSize, request: batchRequest},
}

const batchSize = 100

func objectsPath(st *State) string { return "/v1/objects/" + st.Type }

// randomPreloaded is a uniformly drawn preloaded object.
func randomPreloaded(st *State, rng *rand.Rand) string { return preloadID(1 + rng.IntN(st.Objects)) }

func getRequest(st *State, rng *rand.Rand, _ int) (string, string, []byte) {
	return http.MethodGet, objectsPath(st) + "/" + randomPreloaded(st, rng), nil
}

// dealJSON is the document of a new deal; seq makes names distinct and
// cycles the stages like the preload.
func dealJSON(rng *rand.Rand, seq int) string {
	return fmt.Sprintf(`{"name":"Load deal %d","stage":%q,"amount":"%d.%02d","owner":"owner-%d"}`,
		seq, stages[seq%len(stages)], rng.IntN(100_000), rng.IntN(100), rng.IntN(50))
}

func createRequest(st *State, rng *rand.Rand, seq int) (string, string, []byte) {
	return http.MethodPost, objectsPath(st), []byte(`{"properties":` + dealJSON(rng, seq) + `}`)
}

// updateRequest moves a random preloaded deal to another stage with a new
// amount: the version row, the document merge and the rewrite of the
// indexed enum's row, as a CRM's pipeline drag does.
func updateRequest(st *State, rng *rand.Rand, _ int) (string, string, []byte) {
	body := fmt.Sprintf(`{"properties":{"stage":%q,"amount":"%d.%02d"}}`,
		stages[rng.IntN(len(stages))], rng.IntN(100_000), rng.IntN(100))
	return http.MethodPatch, objectsPath(st) + "/" + randomPreloaded(st, rng), []byte(body)
}

// searchBody is the search of the brief: one page of 20 won deals, newest
// first, with the total of the filtered set.
const searchBody = `{"filters":[{"property":"stage","operator":"eq","value":"won"}],` +
	`"sort":{"property":"created_at","order":"desc"},"limit":20}`

func searchRequest(st *State, _ *rand.Rand, _ int) (string, string, []byte) {
	return http.MethodPost, objectsPath(st) + "/search", []byte(searchBody)
}

func batchRequest(st *State, rng *rand.Rand, seq int) (string, string, []byte) {
	b := make([]byte, 0, 100*batchSize)
	b = append(b, `{"objects":[`...)
	for i := range batchSize {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"properties":`...)
		b = append(b, dealJSON(rng, seq*batchSize+i)...)
		b = append(b, '}')
	}
	b = append(b, "]}"...)
	return http.MethodPost, objectsPath(st) + "/batch/create", b
}
