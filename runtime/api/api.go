// Package api is the runtime's HTTP face on Fiber: the original system's
// REST contract under /api/v1/calls, the additions (call list, history,
// agents, health), the OpenAPI document and its offline Swagger UI. Every
// response uses the {success, data | error} envelope.
package api

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cors"
	"github.com/gofiber/fiber/v2/middleware/limiter"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/config"
	"github.com/parleyhq/parley/runtime/provider/host"
	"github.com/parleyhq/parley/runtime/service"
)

// Agents is what the API needs of the agent registry.
type Agents interface {
	service.Agents
	List() []agent.Info
}

// Plugins is what the API shows of the plugin host.
type Plugins interface {
	List() []host.Status
}

// Deps are the parts the API serves.
type Deps struct {
	Config  *config.Config
	Calls   *service.Calls
	Agents  Agents
	Plugins Plugins
	// Conversation answers uploaded utterances (conversation/process).
	Conversation *service.Conversation
	Ready        func(context.Context) error // store health, for /readyz
	// Signaling, when set, is mounted at /socket.io/ ahead of the REST
	// middleware: Engine.IO does its own CORS, and long-polling must not
	// count against the rate limit or flood the access log.
	Signaling Mounter
	// Metrics serves GET /metrics (Prometheus); nil for none.
	Metrics http.Handler
	// Refused, when set, is told of each conversation/process request
	// refused for lack of capacity (service.RefusedProcessing).
	Refused func(reason string)
	Log     *slog.Logger
	// Web is the demo page, served at / (index.html and the files it
	// loads; the web package); nil for none.
	Web fs.FS
}

// Mounter adds its own routes to the app; *signaling.Server is one.
type Mounter interface {
	Mount(app *fiber.App)
}

type server struct {
	deps    Deps
	cfg     *config.Config
	calls   *service.Calls
	log     *slog.Logger
	process slots // conversation/process requests in flight
}

// New builds the Fiber app with every route and middleware.
func New(deps Deps) *fiber.App {
	s := &server{deps: deps, cfg: deps.Config, calls: deps.Calls, log: deps.Log,
		process: newSlots(deps.Config.Admission.MaxProcessing)}
	app := fiber.New(fiber.Config{
		AppName:               "parley",
		DisableStartupMessage: true,
		ErrorHandler:          errorHandler(deps.Log),
		// The largest body any route takes; JSON routes check their own,
		// smaller limit in jsonBody.
		BodyLimit:    max(deps.Config.HTTP.UploadLimit, deps.Config.HTTP.BodyLimit),
		ReadTimeout:  deps.Config.HTTP.ReadTimeout,
		WriteTimeout: deps.Config.HTTP.WriteTimeout,
		IdleTimeout:  2 * time.Minute,
	})
	if deps.Signaling != nil {
		app.Use("/socket.io", recover.New())
		deps.Signaling.Mount(app)
	}
	app.Use(requestid.New(requestid.Config{Header: requestIDHeader}))
	app.Use(accessLog(deps.Log))
	app.Use(recover.New())
	app.Use(cors.New(cors.Config{
		AllowOrigins:  deps.Config.CORSOrigin,
		AllowHeaders:  "Content-Type, X-Request-ID",
		ExposeHeaders: requestIDHeader,
	}))
	if n := deps.Config.HTTP.RateLimit; n > 0 {
		app.Use(limiter.New(limiter.Config{
			Max:        n,
			Expiration: time.Minute,
			Next: func(c *fiber.Ctx) bool {
				p := c.Path()
				return p == "/healthz" || p == "/readyz" || p == "/metrics"
			},
			LimitReached: func(*fiber.Ctx) error {
				return newError(http.StatusTooManyRequests, CodeRateLimited, "too many requests from this address; wait a minute and try again")
			},
		}))
	}
	for _, r := range s.routes() {
		app.Add(r.Method, r.Path, r.Handler)
	}
	mountWeb(app, deps.Web, deps.Log)
	app.Use(func(*fiber.Ctx) error { return fiber.ErrNotFound })
	return app
}

// route is one documented endpoint.
type route struct {
	Method  string
	Path    string // Fiber syntax, :id
	Handler fiber.Handler
}

// routes lists every endpoint the API serves; the OpenAPI document must
// describe exactly these (TestOpenAPICoversRoutes).
func (s *server) routes() []route {
	return []route{
		{http.MethodGet, "/api/v1/calls/config", s.rtcConfig},
		{http.MethodPost, "/api/v1/calls", s.initiateCall},
		{http.MethodPost, "/api/v1/calls/conversation/process", s.processConversation},
		{http.MethodGet, "/api/v1/calls", s.listCalls},
		{http.MethodGet, "/api/v1/calls/:id", s.getCall},
		{http.MethodPost, "/api/v1/calls/:id/connect", s.connectCall},
		{http.MethodPost, "/api/v1/calls/:id/end", s.endCall},
		{http.MethodGet, "/api/v1/calls/:id/history", s.callHistory},
		{http.MethodGet, "/api/v1/agents", s.listAgents},
		{http.MethodGet, "/api/v1/plugins", s.listPlugins},
		{http.MethodGet, "/healthz", s.healthz},
		{http.MethodGet, "/readyz", s.readyz},
		{http.MethodGet, "/metrics", s.metrics},
		{http.MethodGet, "/api/docs", s.swaggerIndex},
		{http.MethodGet, "/api/docs/:file", s.swaggerAsset},
		{http.MethodGet, "/api/docs-json", s.openAPIJSON},
	}
}
