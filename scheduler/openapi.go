package scheduler

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3 document of the REST API, served at
// /openapi.json; TestOpenAPIMatchesRoutes keeps it in step with apiRoutes
// and the bodies the handlers write.
//
//go:embed openapi.json
var openAPI []byte

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPI)
}
