// Package media is the runtime's server-side WebRTC audio peer (the "agent
// peer"): it answers a caller's SDP offer with a Pion PeerConnection,
// delivers the caller's audio to a Sink and sends the agent's voice back.
//
// An Engine holds the one webrtc.API every peer shares (codecs, ICE
// settings); each call makes a Peer with Engine.NewPeer, answers the offer
// with Peer.Answer, calls Peer.Trickle once the answer is on its way and
// feeds the caller's candidates to Peer.AddCandidate.
//
// Inbound, per call:
//
//	RTP (Opus 48k | PCMU 8k) -> loss/gap fill (PLC, FEC, silence) -> decode
//	  -> resample 16 kHz -> 20 ms frames (320 samples) -> Sink
//
// Outbound, per call:
//
//	Player.Enqueue(PCM, any rate) -> resample to the codec rate -> queue
//	  -> every 20 ms: gain ramp (SetGain), pause fades (Pause, Resume)
//	  -> Opus encode | µ-law encode (cached silence when idle or paused)
//	  -> TrackLocalStaticSample -> RTP
//
// The Player is generic: it paces any FrameWriter, so a transport other
// than WebRTC can reuse it. Flush drops its queue at once (barge-in);
// Pause and Resume stop and continue the speech where it was, and SetGain
// ducks it (a caller's backchannel), without clicks and without a gap in
// the RTP timing.
package media
