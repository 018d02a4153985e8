package config

// Setting is one leaf of Config: its key in the YAML file, the environment
// variable and flag that set it, its default and what it means. The table
// drives loading, --help and the README's reference, so they cannot drift.
type Setting struct {
	Key     string // dotted koanf key, e.g. "openai.api_key"
	Env     string // environment variable, also read from .env
	Flag    string // command-line flag without dashes; empty for none
	Default any
	Help    string
	Secret  bool // never printed
}

// EnvPrefix starts every environment variable this project adds; the
// original system's variables keep their own names.
const EnvPrefix = "PARLEY_"

// Settings lists every setting, in the order --help shows them.
var Settings = []Setting{
	{Key: "port", Env: "PORT", Flag: "port", Default: 3000, Help: "HTTP and Socket.IO port"},
	{Key: "host", Env: EnvPrefix + "HOST", Flag: "host", Default: "", Help: "address to listen on (empty: all interfaces)"},
	{Key: "auth.api_keys", Env: EnvPrefix + "API_KEYS", Default: "", Secret: true, Help: "API keys, comma-separated (at least 16 characters each); any key turns key mode on: every route but /healthz, /readyz and the demo page needs Authorization: Bearer <key>"},
	{Key: "auth.api_keys_file", Env: EnvPrefix + "API_KEYS_FILE", Default: "", Help: "file of API keys, one per line or comma-separated (# starts a comment); added to PARLEY_API_KEYS"},
	{Key: "auth.token_secret", Env: EnvPrefix + "TOKEN_SECRET", Default: "", Secret: true, Help: "secret that signs call tokens, at least 32 bytes (empty: generated once into token.secret in the data directory); every instance behind one load balancer needs the same"},
	{Key: "tls.cert_file", Env: EnvPrefix + "TLS_CERT_FILE", Default: "", Help: "PEM certificate (chain) to serve HTTPS and WSS directly; set with the key file"},
	{Key: "tls.key_file", Env: EnvPrefix + "TLS_KEY_FILE", Default: "", Help: "PEM private key of the TLS certificate"},
	{Key: "openai.api_key", Env: "OPENAI_API_KEY", Default: "", Secret: true, Help: "OpenAI API key; agents on OpenAI providers are unavailable without it"},
	{Key: "openai.model", Env: "OPENAI_MODEL", Default: "gpt-4o", Help: "default chat model of the OpenAI chat provider"},
	{Key: "openai.base_url", Env: "OPENAI_BASE_URL", Default: "", Help: "OpenAI-compatible server URL (empty: api.openai.com)"},
	{Key: "stun_server_url", Env: "STUN_SERVER_URL", Default: "stun:stun.l.google.com:19302", Help: "first STUN server offered to clients"},
	{Key: "cors_origin", Env: "CORS_ORIGIN", Default: "*", Help: "allowed CORS origins, comma-separated"},
	{Key: "data_dir", Env: EnvPrefix + "DATA_DIR", Flag: "data-dir", Default: "data", Help: "directory of the SQLite database"},
	{Key: "bus_url", Env: EnvPrefix + "BUS_URL", Default: "", Secret: true, Help: "NATS server(s) the instances sharing a database talk through (nats://[user:password@]host:4222, comma-separated for a cluster; tls:// for TLS): a Socket.IO client may then reach any instance, and REST changes reach the instance holding the call (empty: one instance, no bus)"},
	{Key: "database_url", Env: EnvPrefix + "DATABASE_URL", Default: "", Secret: true, Help: "PostgreSQL database (postgres://user:password@host:5432/db?sslmode=...) to keep calls and turns in instead of the SQLite file; migrated at start (empty: SQLite in the data directory)"},
	{Key: "instance.id", Env: EnvPrefix + "INSTANCE_ID", Default: "", Help: "this runtime instance's id, the owner of the calls it holds: each instance sharing a database needs its own, kept across restarts (empty: the host name and a random suffix, made once into instance.id in the data directory)"},
	{Key: "instance.lease", Env: EnvPrefix + "INSTANCE_LEASE", Default: "15s", Help: "how long this instance's lease in the store lasts unrenewed (it is renewed every third of that): another instance marks the live calls of one whose lease ran out FAILED, reason \"instance lost\""},
	{Key: "agents_dir", Env: EnvPrefix + "AGENTS_DIR", Flag: "agents-dir", Default: "agents", Help: "directory of agent YAML files, watched for changes"},
	{Key: "default_agent", Env: EnvPrefix + "DEFAULT_AGENT", Flag: "default-agent", Default: "default", Help: "agent that answers calls that name none"},
	{Key: "http.body_limit", Env: EnvPrefix + "HTTP_BODY_LIMIT", Default: 64 << 10, Help: "largest JSON request body, bytes"},
	{Key: "http.upload_limit", Env: EnvPrefix + "HTTP_UPLOAD_LIMIT", Default: 25 << 20, Help: "largest audio upload, bytes"},
	{Key: "http.rate_limit", Env: EnvPrefix + "HTTP_RATE_LIMIT", Default: 1200, Help: "requests per minute per client IP (0: unlimited)"},
	{Key: "http.trusted_proxies", Env: EnvPrefix + "TRUSTED_PROXIES", Default: "", Help: "proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For is believed for the client's IP (empty: none, the TCP peer is the client)"},
	{Key: "http.max_conns_per_ip", Env: EnvPrefix + "HTTP_MAX_CONNS_PER_IP", Default: 128, Help: "open connections allowed from one client IP (0: unlimited); trusted proxies are not counted"},
	{Key: "http.read_timeout", Env: EnvPrefix + "HTTP_READ_TIMEOUT", Default: "30s", Help: "longest time to read a request"},
	{Key: "http.write_timeout", Env: EnvPrefix + "HTTP_WRITE_TIMEOUT", Default: "60s", Help: "longest time to write a response"},
	{Key: "http.shutdown_timeout", Env: EnvPrefix + "HTTP_SHUTDOWN_TIMEOUT", Default: "10s", Help: "grace period for requests at shutdown"},
	{Key: "plugins.dir", Env: EnvPrefix + "PLUGIN_DIR", Flag: "plugin-dir", Default: "", Help: "directory of built-in provider plugins (empty: plugins/ beside the binary)"},
	{Key: "plugins.start_timeout", Env: EnvPrefix + "PLUGIN_START_TIMEOUT", Default: "10s", Help: "longest a plugin may take to start"},
	{Key: "plugins.request_timeout", Env: EnvPrefix + "PLUGIN_REQUEST_TIMEOUT", Default: "30s", Help: "deadline of one provider request (a chat or TTS stream as a whole)"},
	{Key: "plugins.nice", Env: EnvPrefix + "PLUGIN_NICE", Default: 5, Help: "scheduling niceness of plugin processes (0-19): under CPU overload the runtime's media pacing comes first"},
	{Key: "webrtc.turn_url", Env: EnvPrefix + "TURN_URL", Default: "", Help: "TURN server (turn: or turns: URL) for the agent peer and offered to clients"},
	{Key: "webrtc.turn_username", Env: EnvPrefix + "TURN_USERNAME", Default: "", Help: "TURN user name"},
	{Key: "webrtc.turn_credential", Env: EnvPrefix + "TURN_CREDENTIAL", Default: "", Secret: true, Help: "TURN password"},
	{Key: "webrtc.udp_port_min", Env: EnvPrefix + "WEBRTC_UDP_PORT_MIN", Default: 0, Help: "lowest UDP port for media (0 with max 0: any)"},
	{Key: "webrtc.udp_port_max", Env: EnvPrefix + "WEBRTC_UDP_PORT_MAX", Default: 0, Help: "highest UDP port for media"},
	{Key: "webrtc.nat_1to1_ips", Env: EnvPrefix + "WEBRTC_NAT_1TO1_IPS", Default: "", Help: "public IPs to advertise behind a 1:1 NAT, comma-separated"},
	{Key: "webrtc.loopback", Env: EnvPrefix + "WEBRTC_LOOPBACK", Default: false, Help: "offer loopback candidates only (tests and single-host demos)"},
	{Key: "call.media_timeout", Env: EnvPrefix + "CALL_MEDIA_TIMEOUT", Default: "20s", Help: "a realtime call with no caller audio this long after its offer FAILS"},
	{Key: "call.disconnect_grace", Env: EnvPrefix + "CALL_DISCONNECT_GRACE", Default: "10s", Help: "a caller disconnected this long ENDS the call; also how long a dropped Socket.IO connection can recover its state"},
	{Key: "call.ring_timeout", Env: EnvPrefix + "CALL_RING_TIMEOUT", Default: "60s", Help: "a call still RINGING or CONNECTING without media this long after it was created FAILS (reason \"no answer\")"},
	{Key: "call.max_duration", Env: EnvPrefix + "CALL_MAX_DURATION", Default: "1h", Help: "longest call: the agent says goodbye and ENDS it (reason \"max duration\"); an agent's max_duration overrides it"},
	{Key: "retention", Env: EnvPrefix + "RETENTION", Default: "", Help: "delete finished calls and their turns older than this many days (\"30d\" or \"30\"); empty or 0 keeps them"},
	{Key: "admission.max_calls", Env: EnvPrefix + "MAX_CALLS", Default: DefaultMaxCalls, Help: MaxCallsHelp},
	{Key: "admission.max_processing", Env: EnvPrefix + "MAX_PROCESSING", Default: 4, Help: "conversation/process requests in flight (each transcribes, answers and speaks a whole upload); 503 CAPACITY_EXCEEDED above"},
	{Key: "admission.drain_timeout", Env: EnvPrefix + "DRAIN_TIMEOUT", Default: "30s", Help: "on SIGTERM, how long live calls may go on before they end with reason shutdown (a second SIGTERM ends them at once)"},
	{Key: "signaling.max_payload", Env: EnvPrefix + "SIGNALING_MAX_PAYLOAD", Default: 256 << 10, Help: "largest Socket.IO message, bytes; a client sending more is disconnected"},
	{Key: "signaling.event_rate", Env: EnvPrefix + "SIGNALING_EVENT_RATE", Default: 200, Help: "Socket.IO packets per second per connection (bursts of twice that), 0 for no limit; a client sending more is disconnected"},
	{Key: "signaling.byte_rate", Env: EnvPrefix + "SIGNALING_BYTE_RATE", Default: 512 << 10, Help: "Socket.IO bytes per second per connection (bursts of twice that, at least one largest message), 0 for no limit; a client sending more is disconnected"},
	{Key: "webhooks.max_attempts", Env: EnvPrefix + "WEBHOOK_MAX_ATTEMPTS", Default: 12, Help: "attempts of one webhook delivery (backoff 1s, 2s, 4s ... capped at 5m, with jitter) before it is marked failed"},
	{Key: "webhooks.concurrency", Env: EnvPrefix + "WEBHOOK_CONCURRENCY", Default: 4, Help: "webhook deliveries sent at once"},
	{Key: "webhooks.retention", Env: EnvPrefix + "WEBHOOK_RETENTION", Default: "7d", Help: "delete delivered and failed webhook deliveries older than this many days (empty or 0: keep them as long as their call)"},
	{Key: "vad.dir", Env: EnvPrefix + "VAD_DIR", Default: "", Help: "directory of silero_vad.onnx and libonnxruntime.so.1 (empty: vad/ beside the binary); without them an energy detector is used"},
	{Key: "debug.addr", Env: EnvPrefix + "DEBUG_ADDR", Default: "", Help: "loopback address (such as 127.0.0.1:6060) of a separate listener serving Go's runtime profiles at /debug/pprof/, without authentication (empty: off)"},
	{Key: "log.level", Env: EnvPrefix + "LOG_LEVEL", Flag: "log-level", Default: "info", Help: "debug, info, warn or error"},
	{Key: "log.format", Env: EnvPrefix + "LOG_FORMAT", Flag: "log-format", Default: "text", Help: "text or json"},
}

// ConfigFileEnv names the variable that points at the optional YAML file
// (the --config flag does the same).
const ConfigFileEnv = EnvPrefix + "CONFIG"
