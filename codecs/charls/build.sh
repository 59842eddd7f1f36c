#!/bin/sh
# Builds src/imaging/wasm/charls.wasm: CharLS 2.4.2's JPEG-LS decoder (the upstream release that
# Debian trixie packages as charls 2.4.2-2) and jls-decode.c, Pharos's entry to it, as standalone
# WASM that src/imaging/wasm/charls.ts loads without Emscripten's JavaScript.
#
# Why: @cornerstonejs/codec-charls (CharLS 2.4, Emscripten's JavaScript, exceptions caught) took
# 3.5 ms for a lossless CT 256×1024 frame and 3.4 ms for a near-lossless 512×512 one in a codec
# worker; built here with -O3, LTO, WASM SIMD and no exception catching, the same codestreams
# decode to the same pixels in 3.1 and 3.2 ms, about native CharLS's 2.9 and 3.6. Catching
# exceptions (Emscripten's JavaScript-based catching, or -fwasm-exceptions) is slower; -O2, no
# LTO or no SIMD are no faster.
# Without it a CharLS `throw` (a corrupt codestream) aborts the module: its call traps, the job
# fails, and charls.ts drops the instance.
#
# The source: the orig tarball of Debian's charls 2.4.2-2, found through APT's source index and
# checked against the SHA-256 below. Debian's .dsc and patches for 2.4.2-2 have left its mirrors
# (`apt-get source` answers 404), so the tarball is fetched alone, with curl; Debian's packaging
# patches none of the decoder's sources.
#
# The .wasm is committed, so that neither CI nor `npm start` needs Emscripten. To rebuild (Debian):
#   apt-get install -y emscripten curl  # Emscripten 3.1.6, with its LLVM and binaryen
#   sh codecs/charls/build.sh           # needs a deb-src entry for trixie in APT's sources:
#                                       # Types: deb-src, URIs: http://deb.debian.org/debian,
#                                       # Suites: trixie, Components: main; then apt-get update
set -eu

VERSION=2.4.2-2
ORIG=charls_2.4.2.orig.tar.gz
ORIG_SHA256=d1c2c35664976f1e43fec7764d72755e6a50a80f38eca70fcc7553cad4fe19d9
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../src/imaging/wasm/charls.wasm"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
url=$(apt-get source --print-uris "charls=$VERSION" | sed -n "s/^'\([^']*\/$ORIG\)'.*/\1/p")
[ -n "$url" ] || { echo "charls $VERSION is not in APT's source index" >&2; exit 1; }
curl -fsSL -o "$ORIG" "$url"
echo "$ORIG_SHA256  $ORIG" | sha256sum -c -
tar xzf "$ORIG"
src=charls-2.4.2

# Debian's Emscripten keeps a frozen cache, without the LTO builds of its C and C++ libraries: a
# copy of it that Emscripten may add to.
cp -r /usr/share/emscripten/cache cache
sed 's/^FROZEN_CACHE = .*/FROZEN_CACHE = False/' /usr/share/emscripten/.emscripten >emconfig
printf "\nCACHE = '%s'\n" "$work/cache" >>emconfig
export EM_CONFIG="$work/emconfig"

sources=""
for name in charls_jpegls_decoder jpeg_stream_reader jpegls jpegls_error validate_spiff_header \
  version; do
  sources="$sources $src/src/$name.cpp"
done
flags="-O3 -flto -msimd128 -DNDEBUG -DCHARLS_STATIC -sDISABLE_EXCEPTION_CATCHING=1"
# Only the decoder's entry points are exported, the rest of the library (the encoder) goes with
# LTO.
# shellcheck disable=SC2086
em++ $flags -std=c++17 -DCHARLS_LIBRARY_BUILD -I"$src/include" -c $sources
# shellcheck disable=SC2086
emcc $flags -I"$src/include" -c "$here/jls-decode.c"
em++ $flags ./*.o --no-entry -sALLOW_MEMORY_GROWTH -sFILESYSTEM=0 \
  -sEXPORTED_FUNCTIONS=_jls_read_header,_jls_decode,_jls_release,_malloc,_free \
  -o "$out"
ls -l "$out"
