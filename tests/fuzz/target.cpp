// One libFuzzer target; CMake compiles it once per decoder with PIGEON_FUZZ_CHECK naming a function of checks.h.
// A broken invariant aborts, so libFuzzer keeps the input like any crash.

#include "checks.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QString broken = PIGEON_FUZZ_CHECK(QByteArrayView(data, qsizetype(size)));
    if (!broken.isEmpty()) {
        std::fprintf(stderr, "invariant broken: %s\n", broken.toUtf8().constData());
        std::abort();
    }
    return 0;
}
