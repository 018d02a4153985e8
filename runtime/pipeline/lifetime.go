package pipeline

import (
	"time"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/call"
)

// ReasonSilence ends a call whose caller said nothing for twice the
// agent's silence_timeout (once asked whether they were still there).
const ReasonSilence = "silence timeout"

// hangupGrace bounds the agent's goodbye: when it has not finished this
// long after the agent decided to end the call (a stuck TTS), the call
// ends anyway.
const hangupGrace = 20 * time.Second

// Built-in phrases, by language, for agents that set none.
var (
	silencePrompts = map[agent.Language]string{
		agent.LanguageKorean:  "여보세요, 아직 통화 중이신가요?",
		agent.LanguageEnglish: "Hello, are you still there?",
	}
	goodbyes = map[string]map[agent.Language]string{
		call.ReasonMaxDuration: {
			agent.LanguageKorean:  "통화 시간이 다 되어 이만 전화를 끊겠습니다. 감사합니다. 안녕히 계세요.",
			agent.LanguageEnglish: "We have reached the time limit for this call, so I have to hang up now. Thank you, goodbye!",
		},
		ReasonSilence: {
			agent.LanguageKorean:  "말씀이 들리지 않아 전화를 끊겠습니다. 안녕히 계세요.",
			agent.LanguageEnglish: "I can't hear you, so I will hang up now. Goodbye!",
		},
	}
)

// phrase returns the agent's own text, or the built-in one in the base
// language of lang (en-GB and en-US take the en one), or the English one
// when there is none in that language.
func phrase(own string, builtin map[agent.Language]string, lang agent.Language) string {
	if own != "" {
		return own
	}
	if s := builtin[lang.Base()]; s != "" {
		return s
	}
	return builtin[agent.LanguageEnglish]
}

// lifetime is what bounds one conversation: its longest duration and the
// caller's silence. Owned by the loop.
type lifetime struct {
	maxDuration *time.Timer // fires once, at the call's max duration; nil for none
	silence     *time.Timer // the caller's silence_timeout, armed while idle
	silenceOn   time.Duration
	armed       bool   // silence is running
	prompted    bool   // the silence prompt was asked since the caller last spoke
	ending      string // the reason the agent is ending the call; "" while it goes on
	hardStop    *time.Timer
}

// newLifetime starts the clocks of a conversation: maxDuration (0 for
// none) and the agent's silence timeout.
func newLifetime(maxDuration time.Duration, spec *agent.Spec) lifetime {
	l := lifetime{silenceOn: time.Duration(spec.SilenceTimeout)}
	if maxDuration > 0 {
		l.maxDuration = time.NewTimer(maxDuration)
	}
	l.silence = time.NewTimer(time.Hour)
	l.silence.Stop()
	return l
}

// maxDurationC is the channel of the max duration timer (nil: never).
func (l *lifetime) maxDurationC() <-chan time.Time {
	if l.maxDuration == nil {
		return nil
	}
	return l.maxDuration.C
}

func (l *lifetime) stop() {
	if l.maxDuration != nil {
		l.maxDuration.Stop()
	}
	l.silence.Stop()
	if l.hardStop != nil {
		l.hardStop.Stop()
	}
}

// heard notes that the caller spoke: the silence clock stops and the
// prompt may be asked again later.
func (c *conversation) heard() {
	c.life.prompted = false
	c.disarmSilence()
}

func (c *conversation) disarmSilence() {
	if c.life.armed {
		c.life.silence.Stop()
		c.life.armed = false
	}
}

// idle arms the silence clock once nobody speaks and nothing is on its
// way: no reply running or queued, no caller turn under way or awaiting
// its transcript. Called by the loop after every event.
func (c *conversation) idle() {
	l := &c.life
	if l.silenceOn <= 0 || l.armed || l.ending != "" || c.ctx.Err() != nil {
		return
	}
	if c.reply != nil || c.running > 0 || c.lis.turn != nil || len(c.finals) > 0 {
		return
	}
	l.silence.Reset(l.silenceOn)
	l.armed = true
}

// onSilence: the caller said nothing for silence_timeout. Ask once, then
// say goodbye.
func (c *conversation) onSilence() {
	l := &c.life
	l.armed = false
	if l.ending != "" || c.reply != nil || c.lis.turn != nil {
		return // something happened meanwhile
	}
	if !l.prompted {
		l.prompted = true
		c.log.Info("the caller is silent: the agent asks whether they are still there")
		c.startReply(nil, phrase(c.spec.SilencePrompt, silencePrompts, agent.Language(c.language())))
		return
	}
	c.wrapUp(ReasonSilence)
}

// wrapUp ends the call for reason: the agent says its goodbye (cutting
// off whatever it was saying), ignores the caller meanwhile, and hangs up
// when the goodbye has played, or after hangupGrace at the latest.
func (c *conversation) wrapUp(reason string) {
	l := &c.life
	if l.ending != "" {
		return
	}
	l.ending = reason
	c.disarmSilence()
	c.log.Info("the agent ends the call", "reason", reason)
	c.lis.det.Reset()
	c.lis.turn = nil
	c.finals = nil
	own := c.spec.Goodbye
	c.startReply(nil, phrase(own, goodbyes[reason], agent.Language(c.language())))
	c.reply.hangup = reason
	hangup := c.line.Hangup
	l.hardStop = time.AfterFunc(hangupGrace, func() { hangup(reason) })
}
