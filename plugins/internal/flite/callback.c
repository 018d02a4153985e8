#include <stdint.h>
#include <string.h>
#include <flite/flite.h>
#include "_cgo_export.h"

cst_voice *register_cmu_us_slt(const char *voxdir);
cst_voice *register_cmu_us_rms(const char *voxdir);
cst_voice *register_cmu_us_awb(const char *voxdir);
cst_voice *register_cmu_us_kal16(const char *voxdir);

// parley_flite_chunk receives each piece of audio flite synthesises and
// hands it to the Go job whose handle is the streaming info's user data.
static int parley_flite_chunk(const cst_wave *w, int start, int size, int last, cst_audio_streaming_info *asi) {
	(void)last;
	if (size <= 0) {
		return goFliteAudio((uintptr_t)asi->userdata, NULL, 0) == 0 ? CST_AUDIO_STREAM_CONT : CST_AUDIO_STREAM_STOP;
	}
	return goFliteAudio((uintptr_t)asi->userdata, &w->samples[start], size) == 0 ? CST_AUDIO_STREAM_CONT : CST_AUDIO_STREAM_STOP;
}

// parley_flite_voice registers (loads) one of the linked voices.
cst_voice *parley_flite_voice(const char *name) {
	static int inited = 0;
	if (!inited) {
		flite_init();
		inited = 1;
	}
	if (strcmp(name, "slt") == 0) return register_cmu_us_slt(NULL);
	if (strcmp(name, "rms") == 0) return register_cmu_us_rms(NULL);
	if (strcmp(name, "awb") == 0) return register_cmu_us_awb(NULL);
	if (strcmp(name, "kal") == 0) return register_cmu_us_kal16(NULL);
	return NULL;
}

// parley_flite_synth speaks one utterance of text with v, streaming its
// audio to the job in pieces of at least min_samples. speed and pitch
// multiply the voice's own; they are set on the utterance, not on the
// shared voice. Returns 0, or -1 when synthesis failed or was stopped.
int parley_flite_synth(cst_voice *v, const char *text, uintptr_t job, int min_samples, float speed, float pitch) {
	cst_utterance *u = new_utterance();
	cst_audio_streaming_info *asi = new_audio_streaming_info();
	asi->min_buffsize = min_samples;
	asi->asc = parley_flite_chunk;
	asi->userdata = (void *)job;
	utt_set_input_text(u, text);
	utt_init(u, v);
	// The utterance owns asi from here: deleting it deletes asi.
	feat_set(u->features, "streaming_info", audio_streaming_info_val(asi));
	feat_set_float(u->features, "duration_stretch", flite_get_param_float(v->features, "duration_stretch", 1.0) / speed);
	if (feat_present(v->features, "int_f0_target_mean")) {
		// Diphone voices (kal) take their pitch from the target mean...
		feat_set_float(u->features, "int_f0_target_mean", flite_get_param_float(v->features, "int_f0_target_mean", 100.0) * pitch);
	} else {
		// ... clustergen voices (slt, rms, awb) scale their own by f0_shift.
		feat_set_float(u->features, "f0_shift", pitch);
	}
	cst_utterance *done = utt_synth(u);
	delete_utterance(u);
	return done == NULL ? -1 : 0;
}
