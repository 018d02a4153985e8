#include <stdint.h>
#include <espeak-ng/speak_lib.h>
#include "_cgo_export.h"

// parley_espeak_cb receives each piece of audio espeak-ng synthesises and
// hands it to the Go job whose handle came as the synthesis' user data.
// A non-zero return aborts the synthesis.
static int parley_espeak_cb(short *wav, int n, espeak_EVENT *events) {
	uintptr_t job = 0;
	if (events != NULL) {
		job = (uintptr_t)events[0].user_data;
	}
	if (wav == NULL || n <= 0) {
		return goEspeakAbort(job);
	}
	return goEspeakAudio(job, wav, n);
}

// parley_espeak_init starts espeak-ng in synchronous mode (espeak_Synth
// returns when the text is spoken, having called the callback with every
// piece) and returns its sample rate, or -1.
int parley_espeak_init(int buflength_ms) {
	int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, buflength_ms, NULL, espeakINITIALIZE_DONT_EXIT);
	if (rate <= 0) {
		return -1;
	}
	espeak_SetSynthCallback(parley_espeak_cb);
	return rate;
}

// parley_espeak_synth speaks UTF-8 text for the job.
int parley_espeak_synth(const char *text, size_t size, uintptr_t job) {
	return espeak_Synth(text, size, 0, POS_CHARACTER, 0, espeakCHARS_UTF8 | espeakENDPAUSE, NULL, (void *)job);
}

// parley_espeak_voices returns espeak-ng's voices (a NULL-terminated
// array owned by the library).
const espeak_VOICE **parley_espeak_voices(void) {
	return espeak_ListVoices(NULL);
}
