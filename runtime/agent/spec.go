package agent

import (
	"github.com/invopop/jsonschema"
	"time"
)

// Spec is one agent, as written in one YAML file of the agents directory.
// A *Spec handed out by this package is never modified afterwards (a reload
// produces new values) and may be shared between goroutines; callers must
// not modify it either, including its Options maps.
type Spec struct {
	// Name identifies the agent; it is the `agent` field of POST /api/v1/calls.
	Name string `yaml:"name" json:"name" jsonschema:"required,pattern=^[a-z0-9][a-z0-9_-]*$,maxLength=63" jsonschema_description:"Identifier of the agent, used as the agent field of POST /api/v1/calls: lower-case letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters."`
	// Description is a free text shown in agent listings.
	Description string `yaml:"description,omitempty" json:"description,omitempty" jsonschema_description:"What the agent is for, shown in agent listings."`
	// Language is the language the agent speaks and listens in.
	Language Language `yaml:"language" json:"language" jsonschema:"required"`
	// SystemPrompt is the instruction given to the chat model.
	SystemPrompt string `yaml:"system_prompt" json:"systemPrompt" jsonschema:"required,minLength=1,pattern=\\S" jsonschema_description:"Instruction given to the chat model at the start of every call; must not be blank."`
	// Greeting is spoken when the media of a call connects; empty for none.
	Greeting string `yaml:"greeting,omitempty" json:"greeting,omitempty" jsonschema_description:"Spoken by the agent as soon as the call's audio connects; omit for none."`
	// ErrorMessage is spoken when a provider fails mid-turn; empty for the
	// built-in apology in the agent's language.
	ErrorMessage string `yaml:"error_message,omitempty" json:"errorMessage,omitempty" jsonschema_description:"Spoken when a provider fails during a turn (the caller can then try again); omit for a built-in apology in the agent's language."`
	// AllowPromptOverride lets conversation/process requests replace
	// SystemPrompt in key mode (open mode always lets them).
	AllowPromptOverride bool `yaml:"allow_prompt_override,omitempty" json:"allowPromptOverride,omitempty" jsonschema_description:"Whether a conversation/process request's systemPrompt may replace system_prompt when the runtime runs with API keys (in open mode it always may). Default false: a client cannot turn the agent into a general-purpose chat model paid for by the operator."`
	// Voice is the provider's voice name (OpenAI: alloy, echo, fable, onyx, nova, shimmer).
	Voice string `yaml:"voice,omitempty" json:"voice,omitempty" jsonschema_description:"Voice name understood by the text-to-speech provider, for example OpenAI's alloy, echo, fable, onyx, nova or shimmer."`
	// History controls how much of the conversation the chat model sees.
	History History `yaml:"history,omitempty" json:"history" jsonschema_description:"How much of the conversation the chat model sees."`
	// Providers names the plugin used for each AI capability.
	Providers Providers `yaml:"providers" json:"providers" jsonschema:"required" jsonschema_description:"The provider plugin used for each AI capability."`
	// TurnTaking tunes when a user's turn ends and whether they can interrupt.
	TurnTaking TurnTaking `yaml:"turn_taking,omitempty" json:"turnTaking" jsonschema_description:"When the user's turn ends and whether the user can interrupt the agent."`
	// MaxDuration is the longest call; 0 for the runtime's
	// PARLEY_CALL_MAX_DURATION. When it passes the agent says Goodbye and
	// ends the call.
	MaxDuration Duration `yaml:"max_duration,omitempty" json:"maxDuration,omitempty" jsonschema_description:"Longest call, between 1s and 24h; when it passes the agent says its goodbye and ends the call (reason max duration). Omit for the runtime's PARLEY_CALL_MAX_DURATION (default 1h)."`
	// SilenceTimeout, when set, is how long the caller may say nothing:
	// the agent then asks SilencePrompt once, and after another
	// SilenceTimeout of silence says Goodbye and ends the call. 0 is off.
	SilenceTimeout Duration `yaml:"silence_timeout,omitempty" json:"silenceTimeout,omitempty" jsonschema_description:"When the caller says nothing for this long (1s to 1h), the agent asks once whether they are still there (silence_prompt), and after another silence_timeout says its goodbye and hangs up (reason silence timeout). Omit for no limit."`
	// SilencePrompt is asked after SilenceTimeout of silence; empty for a
	// built-in question in the agent's language.
	SilencePrompt string `yaml:"silence_prompt,omitempty" json:"silencePrompt,omitempty" jsonschema_description:"Asked when the caller has said nothing for silence_timeout; omit for a built-in question in the agent's language (Are you still there?)."`
	// Goodbye is said before the agent ends a call for its max duration or
	// its silence timeout; empty for a built-in goodbye in its language.
	Goodbye string `yaml:"goodbye,omitempty" json:"goodbye,omitempty" jsonschema_description:"Said before the agent ends a call that reached max_duration or silence_timeout; omit for a built-in goodbye in the agent's language."`
	// Variables declares the per-call values that system_prompt and
	// greeting use as {{name}}; POST /api/v1/calls gives them.
	Variables map[string]Variable `yaml:"variables,omitempty" json:"variables,omitempty" jsonschema_description:"Per-call values, given by POST /api/v1/calls (or a call token) and used as {{name}} in system_prompt and greeting. Keys are variable names: lower-case letters, digits and '_', starting with a letter or '_', at most 64 variables. The built-ins (call_id, caller_number, agent_name, date, time, weekday, datetime, timezone) need no declaration and cannot be declared."`
	// Timezone is the IANA time zone of the date and time built-in
	// variables; empty for UTC.
	Timezone string `yaml:"timezone,omitempty" json:"timezone,omitempty" jsonschema:"minLength=1" jsonschema_description:"IANA time zone name, such as Europe/Berlin or Asia/Seoul, of the date, time, weekday and datetime built-in variables (default UTC)."`

	// Tools are the functions the chat model may call.
	Tools []Tool `yaml:"tools,omitempty" json:"tools,omitempty" jsonschema:"maxItems=32" jsonschema_description:"Functions the chat model may call during a call (at most 32): HTTP requests to your systems, end_call and transfer_call. See docs/tools.md."`

	// Webhooks are told of the agent's calls (see docs/webhooks.md).
	Webhooks []Webhook `yaml:"webhooks,omitempty" json:"webhooks,omitempty" jsonschema:"maxItems=8" jsonschema_description:"Endpoints told of this agent's calls: call-started, call-ended (transcript, timings, tool calls, sentiment summary) and tool-called, as signed JSON POST requests retried with backoff; at most 8."`

	// Tests are conversations to try the agent with (parley test).
	Tests []Test `yaml:"tests,omitempty" json:"tests,omitempty" jsonschema:"maxItems=50" jsonschema_description:"Conversations to try the agent with, without phoning it: parley test plays each test's caller lines against the agent's plugins and checks the replies, tool calls, hang-up and sentiment (at most 50). See docs/agents.md."`

	// File is the absolute path of the file the spec was loaded from.
	File string `yaml:"-" json:"file,omitempty"`
	// Version identifies the file content the spec was loaded from (a
	// prefix of its SHA-256), so logs and APIs can tell edits apart.
	Version string `yaml:"-" json:"version,omitempty"`
	// LoadedAt is when the file was read.
	LoadedAt time.Time `yaml:"-" json:"loadedAt,omitzero"`

	// nameLine is the line of the name key, for problems found later
	// (duplicate names across files).
	nameLine int
	// lines maps the key paths of the file to their lines, for problems
	// found after loading (an unset environment variable).
	lines map[string]int
	// params are the compiled parameter schemas of the tools, by name.
	params map[string]*ParamSchema
}

// History controls how much of the conversation the chat model sees.
type History struct {
	// MaxTurns is how many past turns (user + agent) are sent with each request.
	MaxTurns int `yaml:"max_turns" json:"maxTurns" jsonschema:"minimum=0,maximum=1000,default=10" jsonschema_description:"How many past turns the chat model sees with each request (0 to 1000, default 10)."`
}

// Providers names the plugin used for each AI capability of an agent.
type Providers struct {
	// STT turns the caller's speech into text.
	STT Provider `yaml:"stt" json:"stt" jsonschema:"required" jsonschema_description:"Speech-to-text provider."`
	// Chat writes the agent's replies.
	Chat Provider `yaml:"chat" json:"chat" jsonschema:"required" jsonschema_description:"Chat provider that writes the agent's replies."`
	// TTS turns the agent's replies into speech.
	TTS Provider `yaml:"tts" json:"tts" jsonschema:"required" jsonschema_description:"Text-to-speech provider."`
	// Sentiment scores the caller's turns; nil when the agent has none.
	Sentiment *Provider `yaml:"sentiment,omitempty" json:"sentiment,omitempty" jsonschema_description:"Sentiment provider that scores each user turn; optional."`
}

// Provider selects one plugin and its options.
type Provider struct {
	// Plugin is a built-in plugin name, or a path to a plugin binary (any
	// value containing '/').
	Plugin string `yaml:"plugin" json:"plugin" jsonschema:"required,minLength=1,pattern=^([a-z0-9][a-z0-9._-]*|.*/.*)$" jsonschema_description:"A built-in plugin name such as openai-chat, or a path to a plugin binary (any value containing '/')."`
	// Options are passed to the plugin, which validates them when the agent is configured.
	Options map[string]any `yaml:"options,omitempty" json:"options,omitempty" jsonschema_description:"Free-form options passed to the plugin, which validates them."`
}

// TurnTaking tunes when the caller's turn ends and whether they can interrupt.
type TurnTaking struct {
	// EndOfTurnSilence, when set, is a fixed silence after speech that
	// ends the caller's turn; 0 (unset) for the adaptive wait between
	// MinSilence and MaxSilence.
	EndOfTurnSilence Duration `yaml:"end_of_turn_silence,omitempty" json:"endOfTurnSilence,omitempty" jsonschema_description:"A fixed silence after speech that ends the user's turn, between 100ms and 5s. Unset (the default): the wait adapts between min_silence and max_silence to how finished the user sounds. Cannot be combined with min_silence, max_silence or eagerness."`
	// MinSilence is the adaptive wait after an utterance that sounds
	// finished (a question, a complete sentence, a short answer).
	MinSilence Duration `yaml:"min_silence" json:"minSilence" jsonschema_description:"Silence after an utterance that sounds finished (a question, a whole sentence, a short answer) before the agent answers, between 100ms and 2s (default 200ms)." jsonschema_extras:"default=200ms"`
	// MaxSilence is the adaptive wait after an utterance that sounds
	// unfinished (a trailing 'and', 'my', 'um', ...).
	MaxSilence Duration `yaml:"max_silence" json:"maxSilence" jsonschema_description:"Silence after an utterance that sounds unfinished (it ends on 'and', 'to', 'my', 'um', an unfinished number, or 고/는데/서 in Korean) before the agent answers anyway, between min_silence and 5s (default 1.5s)." jsonschema_extras:"default=1.5s"`
	// Eagerness shifts the adaptive wait: high answers sooner, low waits
	// longer.
	Eagerness string `yaml:"eagerness" json:"eagerness" jsonschema:"enum=low,enum=medium,enum=high,default=medium" jsonschema_description:"How readily the agent takes the turn when the cues are mixed: high answers sooner and cuts into more pauses, low waits longer (default medium)."`
	// MinSpeech is the shortest speech that counts as a turn; shorter sounds are ignored.
	MinSpeech Duration `yaml:"min_speech" json:"minSpeech" jsonschema_description:"Shortest speech that counts as a turn, between 0s and 2s (default 200ms); shorter noises are ignored." jsonschema_extras:"default=200ms"`
	// MaxTurn is the longest a caller's turn may run before it is cut.
	MaxTurn Duration `yaml:"max_turn" json:"maxTurn" jsonschema_description:"Longest a user's turn may run before it is ended, between 1s and 5m (default 30s)." jsonschema_extras:"default=30s"`
	// BargeIn lets the caller interrupt the agent while it speaks.
	BargeIn bool `yaml:"barge_in" json:"bargeIn" jsonschema:"default=true" jsonschema_description:"Whether the user can interrupt the agent by speaking (default true)."`
	// BargeInMinSpeech is how long the caller must speak over the agent
	// before it stops; nil for MinSpeech (the behaviour before the key).
	BargeInMinSpeech *Duration `yaml:"barge_in_min_speech,omitempty" json:"bargeInMinSpeech,omitempty" jsonschema_description:"How long the user must speak over the agent before it stops talking, between 0s and 2s; omit for min_speech. Speech over the agent that ends sooner is ignored and the agent goes on."`
	// BargeInMinWords, when above 0, is how many words the speech-to-text's
	// partial transcript must hold before the agent stops.
	BargeInMinWords int `yaml:"barge_in_min_words,omitempty" json:"bargeInMinWords,omitempty" jsonschema:"minimum=0,maximum=20" jsonschema_description:"When above 0 (at most 20), the agent stops talking only once the speech-to-text's partial transcript of the user's speech over it has this many words (words are split at spaces), so a short backchannel such as 'uh-huh' does not interrupt it. Needs a provider that sends partial transcripts (pocketsphinx does), and delays the barge-in until the words are recognised. Default 0: off."`
	// Speculate starts the reply (STT final, chat, first TTS sentence)
	// when the adaptive wait begins, before the turn is confirmed.
	Speculate bool `yaml:"speculate" json:"speculate" jsonschema:"default=true" jsonschema_description:"With the adaptive wait: when the user's silence reaches min_silence, finish the transcript and start writing and speaking the reply at once, playing it only when the turn is confirmed; if the user goes on it is discarded (default true). Costs a chat request per discarded pause."`
	// Backchannel lets short acknowledgements spoken over the agent
	// ("uh-huh", "okay", "네") pause it rather than stop it.
	Backchannel Backchannel `yaml:"backchannel" json:"backchannel" jsonschema_description:"Short acknowledgements the user says while the agent talks ('uh-huh', 'okay', '네'): the agent pauses, then resumes, and the acknowledgement is stored as a backchannel, not a turn."`
}

// Backchannel tunes how acknowledgements spoken over the agent are told
// from interruptions.
type Backchannel struct {
	// Enabled: speech over the agent pauses it until its words say
	// whether it is an acknowledgement (the agent resumes) or an
	// interruption (it stops). Off: any speech over the agent that passes
	// the barge-in thresholds stops it.
	Enabled bool `yaml:"enabled" json:"enabled" jsonschema:"default=true" jsonschema_description:"Whether acknowledgements over the agent only pause it (default true). Needs barge_in."`
	// MaxSpeech is the longest speech over the agent that can still be an
	// acknowledgement.
	MaxSpeech Duration `yaml:"max_speech" json:"maxSpeech" jsonschema_description:"The longest speech over the agent that can still be an acknowledgement, between 200ms and 3s (default 1.5s); longer speech stops the agent." jsonschema_extras:"default=1.5s"`
	// Words are the acknowledgements per language (a BCP-47 tag: its
	// base language is matched); languages not listed use the built-in
	// lists (English and Korean).
	Words map[string][]string `yaml:"words,omitempty" json:"words,omitempty" jsonschema_description:"Acknowledgements per language (a BCP-47 tag such as en or ko; at most 100 phrases of at most 4 words and 64 characters each): the phrases replace the built-in list of that language (English: uh-huh, mm-hmm, yeah, okay, right, sure, I see, got it, ...; Korean: 네, 예, 응, 그렇죠, 맞아요, ...)."`
}

// JSONSchemaExtend says what struct tags cannot: a fixed
// end_of_turn_silence excludes the adaptive keys.
func (TurnTaking) JSONSchemaExtend(s *jsonschema.Schema) {
	s.DependentSchemas = map[string]*jsonschema.Schema{
		"end_of_turn_silence": {Not: &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
			{Required: []string{"min_silence"}}, {Required: []string{"max_silence"}}, {Required: []string{"eagerness"}},
		}}},
	}
}

// Adaptive reports whether the end of the caller's turn adapts to how
// finished they sound (no fixed end_of_turn_silence).
func (t TurnTaking) Adaptive() bool { return t.EndOfTurnSilence == 0 }

// Silences returns the shortest and longest end-of-turn wait: min_silence
// and max_silence, or end_of_turn_silence twice when it is set.
func (t TurnTaking) Silences() (minimum, maximum time.Duration) {
	if !t.Adaptive() {
		return t.EndOfTurnSilence.Std(), t.EndOfTurnSilence.Std()
	}
	return t.MinSilence.Std(), t.MaxSilence.Std()
}

// BargeInAfter is how long the caller must speak over the agent before it
// stops: barge_in_min_speech, or min_speech when that is not set.
func (t TurnTaking) BargeInAfter() time.Duration {
	if t.BargeInMinSpeech != nil {
		return t.BargeInMinSpeech.Std()
	}
	return t.MinSpeech.Std()
}

// Defaults returns a Spec holding the default of every optional setting.
// Files are decoded on top of it, so a key that is absent keeps its default
// and a key that is present (even 0 or false) overrides it.
func Defaults() Spec {
	return Spec{
		History: History{MaxTurns: 10},
		TurnTaking: TurnTaking{
			MinSilence:  Duration(200 * time.Millisecond),
			MaxSilence:  Duration(1500 * time.Millisecond),
			Eagerness:   "medium",
			MinSpeech:   Duration(200 * time.Millisecond),
			MaxTurn:     Duration(30 * time.Second),
			BargeIn:     true,
			Speculate:   true,
			Backchannel: Backchannel{Enabled: true, MaxSpeech: Duration(1500 * time.Millisecond)},
		},
	}
}
