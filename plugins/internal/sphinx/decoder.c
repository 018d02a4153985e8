#include <stdlib.h>
#include <string.h>
#include <pocketsphinx.h>
#include <sphinxbase/feat.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/logmath.h>

// parley_cmn is a copy of a decoder's cepstral mean normalisation state.
typedef struct {
	int32 veclen;
	int32 nframe;
	mfcc_t *mean;
	mfcc_t *sum;
} parley_cmn;

// parley_cmn_save copies the decoder's live CMN state (mean, running sum,
// frame count), so that it can be put back when the decoder is reused for
// another caller. Returns NULL when the decoder has no CMN state.
void *parley_cmn_save(ps_decoder_t *ps) {
	feat_t *feat = ps_get_feat(ps);
	if (feat == NULL || feat->cmn_struct == NULL || feat->cmn_struct->veclen <= 0) {
		return NULL;
	}
	cmn_t *cmn = feat->cmn_struct;
	parley_cmn *saved = calloc(1, sizeof(parley_cmn));
	if (saved == NULL) {
		return NULL;
	}
	saved->veclen = cmn->veclen;
	saved->nframe = cmn->nframe;
	saved->mean = calloc((size_t)cmn->veclen, sizeof(mfcc_t));
	saved->sum = calloc((size_t)cmn->veclen, sizeof(mfcc_t));
	if (saved->mean == NULL || saved->sum == NULL) {
		free(saved->mean);
		free(saved->sum);
		free(saved);
		return NULL;
	}
	memcpy(saved->mean, cmn->cmn_mean, (size_t)cmn->veclen * sizeof(mfcc_t));
	if (cmn->sum != NULL) {
		memcpy(saved->sum, cmn->sum, (size_t)cmn->veclen * sizeof(mfcc_t));
	}
	return saved;
}

// parley_cmn_restore puts back the state saved by parley_cmn_save.
// (cmn_live_set is not enough: it also primes the running sum as if 500
// frames had been seen, which a fresh decoder has not.)
void parley_cmn_restore(ps_decoder_t *ps, void *p) {
	parley_cmn *saved = p;
	feat_t *feat = ps_get_feat(ps);
	if (saved == NULL || feat == NULL || feat->cmn_struct == NULL || feat->cmn_struct->veclen != saved->veclen) {
		return;
	}
	cmn_t *cmn = feat->cmn_struct;
	memcpy(cmn->cmn_mean, saved->mean, (size_t)saved->veclen * sizeof(mfcc_t));
	if (cmn->sum != NULL) {
		memcpy(cmn->sum, saved->sum, (size_t)saved->veclen * sizeof(mfcc_t));
	}
	cmn->nframe = saved->nframe;
}

// parley_cmn_free frees a state saved by parley_cmn_save.
void parley_cmn_free(void *p) {
	parley_cmn *saved = p;
	if (saved == NULL) {
		return;
	}
	free(saved->mean);
	free(saved->sum);
	free(saved);
}

// parley_word_confidence is the mean posterior probability of the words
// of the last hypothesis (fillers and silences left out), or -1 when there
// are none.
double parley_word_confidence(ps_decoder_t *ps) {
	logmath_t *lmath = ps_get_logmath(ps);
	double sum = 0;
	int n = 0;
	ps_seg_t *seg;
	for (seg = ps_seg_iter(ps); seg != NULL; seg = ps_seg_next(seg)) {
		const char *w = ps_seg_word(seg);
		int32 ascr, lscr, lback;
		if (w == NULL || w[0] == '<' || w[0] == '[') {
			continue;
		}
		sum += logmath_exp(lmath, ps_seg_prob(seg, &ascr, &lscr, &lback));
		n++;
	}
	return n == 0 ? -1 : sum / n;
}
