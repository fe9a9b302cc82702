#include "secret.h"

namespace crypto {

bool ready()
{
    // sodium_init returns 0 the first time, 1 when already started, -1 on failure; it is thread-safe.
    static const bool ok = sodium_init() >= 0;
    return ok;
}

} // namespace crypto
