#include "fingerprint.h"

#include <QStringList>

namespace crypto {

QString fingerprint(const IdentityKey& key)
{
    static constexpr QByteArrayView Domain("pigeon-fingerprint-v1");
    std::array<unsigned char, 32> digest{};
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, digest.size());
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(Domain.data()), Domain.size());
    crypto_generichash_update(&state, key.data(), key.size());
    crypto_generichash_final(&state, digest.data(), digest.size());
    QStringList groups;
    for (std::size_t i = 0; i < digest.size(); i += 4) {
        const quint32 word = quint32(digest[i]) << 24 | quint32(digest[i + 1]) << 16 | quint32(digest[i + 2]) << 8 |
                             quint32(digest[i + 3]);
        groups.append(QStringLiteral("%1").arg(word % 100000, 5, 10, QLatin1Char('0')));
    }
    return groups.join(u' ');
}

} // namespace crypto
