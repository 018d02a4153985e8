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
	"github.com/parleyhq/parley/runtime/auth"
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
	// Bus, when set, is the health of the bus between instances, for
	// /readyz (check "bus").
	Bus func() error
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
	// Guard checks API keys and call tokens; nil or one without keys is
	// open mode, where every request is a key holder's.
	Guard *auth.Guard
	// Webhooks lists and retries webhook deliveries; nil for none.
	Webhooks Webhooks
	// SignalingMaxPayload bounds an Engine.IO long-polling body, in bytes
	// (0: the JSON body limit).
	SignalingMaxPayload int
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
		// The largest body any route takes; bodyLimits lowers it per
		// route before a body is read.
		BodyLimit:    max(deps.Config.HTTP.UploadLimit+uploadOverhead, deps.Config.HTTP.BodyLimit, deps.SignalingMaxPayload),
		ReadTimeout:  deps.Config.HTTP.ReadTimeout,
		WriteTimeout: deps.Config.HTTP.WriteTimeout,
		IdleTimeout:  2 * time.Minute,
	})
	bodyLimits(app.Server(), deps.Config.HTTP, deps.SignalingMaxPayload)
	web := readWebFiles(deps.Web, deps.Log)

	app.Use(withClientIP(proxies(deps.Config.HTTP.Proxies())))
	app.Use(refuseEncodedBodies)
	limit := rateLimit(deps.Config.HTTP.RateLimit)
	if deps.Signaling != nil {
		app.Use("/socket.io", recover.New())
		// A new Engine.IO connection (no sid yet) counts against the
		// rate limit like a request; its later polls and frames do not.
		app.Use("/socket.io/", func(c *fiber.Ctx) error {
			if c.Query("sid") == "" && c.Path() != "/socket.io/socket.io.js" {
				return limit(c)
			}
			return c.Next()
		})
		deps.Signaling.Mount(app)
	}
	app.Use(requestid.New(requestid.Config{Header: requestIDHeader}))
	app.Use(accessLog(deps.Log))
	app.Use(recover.New())
	app.Use(cors.New(cors.Config{
		AllowOrigins:  deps.Config.CORSOrigin,
		AllowHeaders:  "Authorization, Content-Type, X-Request-ID",
		ExposeHeaders: requestIDHeader,
	}))
	app.Use(func(c *fiber.Ctx) error {
		if p := c.Path(); p == "/healthz" || p == "/readyz" || p == "/metrics" {
			return c.Next()
		}
		return limit(c)
	})
	app.Use(guard(deps.Guard, web.has))
	for _, r := range s.routes() {
		app.Add(r.Method, r.Path, r.Handler)
	}
	web.mount(app)
	app.Use(func(*fiber.Ctx) error { return fiber.ErrNotFound })
	return app
}

// rateLimit counts requests per client IP (PARLEY_HTTP_RATE_LIMIT a
// minute; 0: none).
func rateLimit(n int) fiber.Handler {
	if n <= 0 {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	return limiter.New(limiter.Config{
		Max:          n,
		Expiration:   time.Minute,
		KeyGenerator: clientIP,
		LimitReached: func(*fiber.Ctx) error {
			return newError(http.StatusTooManyRequests, CodeRateLimited, "too many requests from this address; wait a minute and try again")
		},
	})
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
		{http.MethodPost, "/api/v1/tokens", s.mintToken},
		{http.MethodGet, "/api/v1/webhooks/deliveries", s.listDeliveries},
		{http.MethodPost, "/api/v1/webhooks/deliveries/:id/retry", s.retryDelivery},
		{http.MethodGet, "/healthz", s.healthz},
		{http.MethodGet, "/readyz", s.readyz},
		{http.MethodGet, "/metrics", s.metrics},
		{http.MethodGet, "/api/docs", s.swaggerIndex},
		{http.MethodGet, "/api/docs/:file", s.swaggerAsset},
		{http.MethodGet, "/api/docs-json", s.openAPIJSON},
	}
}
