#!/bin/sh
# Builds src/imaging/wasm/openjpeg.wasm: OpenJPEG's decoder (Debian bookworm's openjpeg2
# 2.5.0-2+deb12u3, with its security patches) and j2k-decode.c, Pharos's entry to it, as
# standalone WASM that src/imaging/wasm/openjpeg.ts loads without Emscripten's JavaScript.
#
# Why: dcmjs-codecs' OpenJPEG is built without WASM SIMD. Built here with -msimd128 and
# -msse…-msse4.1 (OpenJPEG's SSE wavelet and component transforms, which Emscripten maps to WASM
# SIMD), -O3 and LTO, the same codestreams decode to the same pixels in 0.93 (lossless) to 0.8
# (lossy) of the time. Without SIMD lossless is no faster; -O2, no LTO or 2.5.3 change little.
#
# The .wasm is committed, so that neither CI nor `npm start` needs Emscripten. To rebuild (Debian):
#   apt-get install -y emscripten      # 3.1.6, with its LLVM and binaryen
#   sh codecs/openjpeg/build.sh        # needs deb-src entries for bookworm in APT's sources
set -eu

VERSION=2.5.0-2+deb12u3
ORIG_SHA256=007e19d772c8b6b22e35379630b06ff3549e49ba719d96453607a36ad7b4de73
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../src/imaging/wasm/openjpeg.wasm"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
apt-get source --download-only "openjpeg2=$VERSION"
echo "$ORIG_SHA256  openjpeg2_2.5.0.orig.tar.xz" | sha256sum -c -
tar xf openjpeg2_2.5.0.orig.tar.xz
tar xf "openjpeg2_$VERSION.debian.tar.xz"
for patch in $(grep -v '^#' debian/patches/series); do
  patch -d openjpeg-2.5.0 -p1 -s <"debian/patches/$patch"
done

# The two headers OpenJPEG's CMake would write, for this one target.
mkdir config
cat >config/opj_config.h <<'H'
#define OPJ_HAVE_STDINT_H 1
#define OPJ_VERSION_MAJOR 2
#define OPJ_VERSION_MINOR 5
#define OPJ_VERSION_BUILD 0
H
cat >config/opj_config_private.h <<'H'
#define OPJ_HAVE_INTTYPES_H 1
#define OPJ_PACKAGE_VERSION "2.5.0"
#define OPJ_HAVE_MALLOC_H
#define OPJ_HAVE_POSIX_MEMALIGN
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200112L
#endif
H

# Debian's Emscripten keeps a frozen cache, without the LTO builds of its C library: a copy of it
# that Emscripten may add to.
cp -r /usr/share/emscripten/cache cache
sed 's/^FROZEN_CACHE = .*/FROZEN_CACHE = False/' /usr/share/emscripten/.emscripten >emconfig
printf "\nCACHE = '%s'\n" "$work/cache" >>emconfig
export EM_CONFIG="$work/emconfig"

lib=openjpeg-2.5.0/src/lib/openjp2
sources=""
for name in bio cio dwt event function_list ht_dec image invert j2k jp2 mct mqc openjpeg \
  opj_clock opj_malloc pi sparse_array t1 t2 tcd tgt thread; do
  sources="$sources $lib/$name.c"
done
# No threads, no exceptions (C); only the decoder's entry points are exported, the rest of the
# library (the encoder, file streams) goes with LTO.
# shellcheck disable=SC2086
emcc -O3 -flto -msimd128 -msse -msse2 -msse4.1 -mbulk-memory -fno-exceptions -DNDEBUG \
  -DOPJ_STATIC -Iconfig -I"$lib" $sources "$here/j2k-decode.c" \
  --no-entry -sALLOW_MEMORY_GROWTH -sFILESYSTEM=0 \
  -sEXPORTED_FUNCTIONS=_j2k_decode,_j2k_copy,_j2k_release,_malloc,_free \
  -o "$out"
ls -l "$out"
