package server

import (
	"net/http"

	"airbridge"
)

// routes lists every route the server answers.
func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /metrics", s.serveMetrics)

	s.mux.HandleFunc("GET /api/operation", s.getOperation)
	s.mux.HandleFunc("POST /api/operation", s.command(small, http.StatusCreated, func(*http.Request) airbridge.Command { return &airbridge.ConfigureOperation{} }))

	s.mux.HandleFunc("GET /api/sites", s.getSites)
	s.mux.HandleFunc("POST /api/sites", s.command(small, http.StatusCreated, func(*http.Request) airbridge.Command { return &airbridge.AddSite{} }))

	s.mux.HandleFunc("POST /api/persons", s.command(small, http.StatusCreated, func(*http.Request) airbridge.Command { return &airbridge.RegisterPerson{} }))
	s.mux.HandleFunc("POST /api/persons/batch", s.command(batch, http.StatusCreated, func(*http.Request) airbridge.Command { return &airbridge.RegisterPersons{} }))
	s.mux.HandleFunc("GET /api/persons", s.findPerson)
	s.mux.HandleFunc("GET /api/persons/{id}", s.getPerson)
	s.mux.HandleFunc("GET /api/persons/{id}/history", s.getHistory)
	s.mux.HandleFunc("POST /api/persons/{id}/screening", s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command {
		return &airbridge.Screen{PersonID: r.PathValue("id")}
	}))

	s.mux.HandleFunc("POST /api/groups", s.command(small, http.StatusCreated, func(*http.Request) airbridge.Command { return &airbridge.RegisterGroup{} }))
	s.mux.HandleFunc("POST /api/groups/batch", s.command(batch, http.StatusCreated, func(*http.Request) airbridge.Command { return &airbridge.RegisterGroups{} }))
	s.mux.HandleFunc("GET /api/groups/{id}", s.getGroup)
	s.mux.HandleFunc("POST /api/groups/{id}/split", s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command {
		return &airbridge.SplitGroup{GroupID: r.PathValue("id")}
	}))
	s.mux.HandleFunc("POST /api/groups/{id}/call", s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command {
		return &airbridge.CallGroup{GroupID: r.PathValue("id")}
	}))

	s.mux.HandleFunc("POST /api/scans", s.command(small, http.StatusOK, func(*http.Request) airbridge.Command { return &airbridge.Scan{} }))

	s.mux.HandleFunc("GET /api/flights", s.getFlights)
	s.mux.HandleFunc("POST /api/flights", s.command(small, http.StatusCreated, func(*http.Request) airbridge.Command { return &airbridge.ScheduleFlight{} }))
	s.mux.HandleFunc("GET /api/flights/{id}", s.getFlight)
	for _, action := range []string{airbridge.ActionBoarding, airbridge.ActionClose, airbridge.ActionDepart, airbridge.ActionArrive, airbridge.ActionCancel} {
		s.mux.HandleFunc("POST /api/flights/{id}/"+action, s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command {
			return &airbridge.FlightAction{FlightID: r.PathValue("id"), Action: action}
		}))
	}
	s.mux.HandleFunc("POST /api/flights/{id}/manifest", s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command {
		return &airbridge.ManifestGroup{FlightID: r.PathValue("id")}
	}))
	s.mux.HandleFunc("DELETE /api/flights/{id}/manifest/{group}", s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command {
		return &airbridge.OffloadGroup{FlightID: r.PathValue("id"), GroupID: r.PathValue("group")}
	}))
	s.mux.HandleFunc("POST /api/flights/{id}/board", s.command(small, http.StatusOK, func(r *http.Request) airbridge.Command {
		return &airbridge.BoardGroup{FlightID: r.PathValue("id")}
	}))

	s.mux.HandleFunc("GET /api/pipeline", s.getPipeline)
	s.mux.HandleFunc("GET /api/staged", s.getStaged)
	s.mux.HandleFunc("GET /api/events", s.getEvents)

	s.mux.HandleFunc("/", s.notFound)
}
