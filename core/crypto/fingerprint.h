#pragma once

#include "secret.h"

#include <QString>

// The fingerprint of an identity key, for two people to compare aloud or side by side.
//
//   digest      = BLAKE2b-256 (crypto_generichash, 32 bytes) of "pigeon-fingerprint-v1" || public key (32 bytes)
//   group i     = big-endian uint32 of digest[4i .. 4i+3] mod 100000, as 5 decimal digits, i = 0..7
//   fingerprint = the 8 groups separated by one space: "01234 56789 ..." (47 characters)
//
// 8 groups of 5 digits carry about 132 bits; digits read the same in any language. Deterministic: the same key
// always gives the same text on every machine.
namespace crypto {

QString fingerprint(const IdentityKey& key);

} // namespace crypto
