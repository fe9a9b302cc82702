#pragma once

#include "secret.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>
#include <QStringList>

// This profile's long-term identity: an Ed25519 key pair (libsodium crypto_sign) kept in <profile>/identity.key.
//
// File (text, 0600, written once, atomically with QSaveFile):
//   pigeon identity key 1
//   seed <base64 of the 32-byte Ed25519 seed>
//   public <base64 of the 32-byte public key>
// The public line lets a damaged seed be told apart from a good one (the seed must give that public key).
//
// Permissions, checked at every open:
// - the key file must belong to this user and be readable by nobody else (0600 or 0400): otherwise open() refuses,
//   like OpenSSH with an unprotected private key, because someone else may already have copied it; the message
//   says to chmod 600 it or to delete it to make a new identity;
// - the profile folder is made 0700 when it is wider (it holds the history too); wider than 0700 with a key already
//   in it adds a warning, since the history was readable until now;
// - the profile's files are made 0600 (makeFilesPrivate); when the folder was open too, a warning names them.
class KeyStore {
    Q_DECLARE_TR_FUNCTIONS(KeyStore)
public:
    static constexpr QStringView FileName = u"identity.key";

    // Loads the identity from `profileDir`, or makes and saves a new one when the folder holds none. False with
    // error() when the key cannot be read, is damaged, is readable by others or cannot be saved.
    bool open(const QString& profileDir);
    bool isOpen() const { return m_open; }
    QString error() const { return m_error; }
    // What open() fixed and the user should know (the folder's permissions).
    QStringList warnings() const { return m_warnings; }
    // True when open() made a new key (first start of this profile).
    bool created() const { return m_created; }

    // Takes group and other permissions off the regular files directly in `profileDir` that this user owns (the
    // history, contacts, pinned keys, settings: made with the umask's 0644), so they are 0600 or narrower; not off
    // the identity key, which open() refuses when it is wider. Returns
    // the names of the files it changed. Session calls it again once the files of a first start exist.
    static QStringList makeFilesPrivate(const QString& profileDir);

    const crypto::IdentityKey& publicKey() const { return m_public; }
    // A detached Ed25519 signature (64 bytes) of `message` under this identity.
    QByteArray sign(QByteArrayView message) const;
    // This identity's fingerprint (fingerprint.h).
    QString fingerprint() const;

private:
    bool load(const QString& path);
    bool create(const QString& path);
    bool fail(const QString& why);

    crypto::SecretBytes<crypto_sign_SECRETKEYBYTES> m_secret; // libsodium's seed || public key
    crypto::IdentityKey m_public{};
    QString m_error;
    QStringList m_warnings;
    bool m_open = false;
    bool m_created = false;
};
