package caller

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestVoicePacesUtterances checks that a Voice hands out each queued
// utterance's frames in order, one per tick, silence in between, and
// dates the first and last frames' sending.
func TestVoicePacesUtterances(t *testing.T) {
	v := NewVoice[int](2)
	if _, ok := v.Next(); ok {
		t.Fatal("a Voice with nothing queued must send silence")
	}
	a, err := v.Say(context.Background(), []int{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	b, err := v.Say(context.Background(), []int{4})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1000, 0)
	var sent []int
	for i := range 4 {
		f, ok := v.Next()
		if !ok {
			t.Fatalf("tick %d: silence with frames queued", i)
		}
		sent = append(sent, f)
		v.Sent(t0.Add(time.Duration(i) * FrameDuration))
		if i == 1 {
			select {
			case <-a.Done():
				t.Fatal("the first utterance is done before its last frame")
			default:
			}
		}
	}
	if !slices.Equal(sent, []int{1, 2, 3, 4}) {
		t.Fatalf("frames sent %v, want 1 2 3 4", sent)
	}
	for _, u := range []*Utterance[int]{a, b} {
		select {
		case <-u.Done():
		default:
			t.Fatalf("utterance %v not done after its last frame", u.Frames)
		}
	}
	if !a.Onset.Equal(t0) || !a.End.Equal(t0.Add(2*FrameDuration)) {
		t.Fatalf("first utterance sent %v..%v, want %v..%v", a.Onset, a.End, t0, t0.Add(2*FrameDuration))
	}
	if !b.Onset.Equal(t0.Add(3*FrameDuration)) || !b.End.Equal(b.Onset) {
		t.Fatalf("one-frame utterance sent %v..%v", b.Onset, b.End)
	}
	if _, ok := v.Next(); ok {
		t.Fatal("silence must follow the last utterance")
	}
}

// TestVoiceSayWaitsForRoom checks that Say on a full queue gives up when
// its context ends.
func TestVoiceSayWaitsForRoom(t *testing.T) {
	v := NewVoice[int](1)
	if _, err := v.Say(context.Background(), []int{1}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := v.Say(ctx, []int{2}); err == nil {
		t.Fatal("Say on a full queue with an ended context must fail")
	}
}

// TestPCMFrames checks the cut into frames and the padding of the last.
func TestPCMFrames(t *testing.T) {
	got := PCMFrames([]int16{1, 2, 3, 4, 5}, 2)
	want := [][]int16{{1, 2}, {3, 4}, {5, 0}}
	if !slices.EqualFunc(got, want, slices.Equal[[]int16]) {
		t.Fatalf("PCMFrames = %v, want %v", got, want)
	}
}
