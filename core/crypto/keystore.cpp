#include "keystore.h"

#include "fingerprint.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>

#include <sys/stat.h>
#include <unistd.h>

namespace {

constexpr QByteArrayView Header = "pigeon identity key 1";

QString octal(mode_t mode)
{
    return QStringLiteral("%1").arg(uint(mode & 07777), 4, 8, QLatin1Char('0'));
}

// A QByteArray that is wiped when it goes, for the file's text, which holds the seed.
struct WipedBytes {
    QByteArray bytes;
    ~WipedBytes()
    {
        if (!bytes.isEmpty())
            sodium_memzero(bytes.data(), size_t(bytes.size()));
    }
};

} // namespace

bool KeyStore::fail(const QString& why)
{
    m_error = why;
    m_open = false;
    m_secret.wipe();
    return false;
}

bool KeyStore::open(const QString& profileDir)
{
    m_error.clear();
    m_warnings.clear();
    m_created = false;
    if (!crypto::ready())
        return fail(tr("libsodium cannot start on this system (no source of randomness)"));
    const QByteArray dir = QFile::encodeName(profileDir);
    struct stat folder {};
    if (::stat(dir.constData(), &folder) != 0 || !S_ISDIR(folder.st_mode))
        return fail(tr("the profile folder %1 does not exist").arg(profileDir));
    const QString path = QDir(profileDir).filePath(FileName.toString());
    const bool exists = QFile::exists(path);
    if ((folder.st_mode & 077) != 0) {
        if (::chmod(dir.constData(), 0700) != 0)
            return fail(tr("the profile folder %1 is open to other users (mode %2) and cannot be made private: %3")
                            .arg(profileDir, octal(folder.st_mode), QString::fromLocal8Bit(strerror(errno))));
        if (exists)
            m_warnings.append(tr("the profile folder %1 was open to other users (mode %2); it is now 0700")
                                  .arg(profileDir, octal(folder.st_mode)));
    }
    // Behind a 0700 folder a wider file was out of reach; in a folder that was open it was not.
    const QStringList widened = makeFilesPrivate(profileDir);
    if (exists && (folder.st_mode & 077) != 0 && !widened.isEmpty())
        m_warnings.append(tr("these files of the profile were readable by other users; they are now 0600: %1")
                              .arg(widened.join(QStringLiteral(", "))));
    m_open = exists ? load(path) : create(path);
    return m_open;
}

QStringList KeyStore::makeFilesPrivate(const QString& profileDir)
{
    QStringList changed;
    const QDir dir(profileDir);
    const QStringList names = dir.entryList(QDir::Files | QDir::Hidden | QDir::System | QDir::NoSymLinks);
    for (const QString& name : names) {
        if (name == FileName)
            continue; // a wider identity key is refused, not fixed (open())
        const QByteArray path = QFile::encodeName(dir.filePath(name));
        struct stat file {};
        if (::lstat(path.constData(), &file) != 0 || !S_ISREG(file.st_mode) || file.st_uid != ::geteuid() ||
            (file.st_mode & 077) == 0)
            continue;
        if (::chmod(path.constData(), file.st_mode & 0700) == 0)
            changed.append(name);
    }
    return changed;
}

bool KeyStore::load(const QString& path)
{
    const QByteArray name = QFile::encodeName(path);
    struct stat key {};
    if (::stat(name.constData(), &key) != 0 || !S_ISREG(key.st_mode))
        return fail(tr("the identity key %1 is not a regular file").arg(path));
    if (key.st_uid != ::geteuid())
        return fail(tr("the identity key %1 belongs to another user; Pigeon will not use it").arg(path));
    if ((key.st_mode & 077) != 0)
        return fail(tr("the identity key %1 is readable by other users (mode %2), who may have copied it. "
                       "Run chmod 600 %1 to keep this identity, or delete the file to make a new one (your "
                       "contacts will then be warned that your key changed)")
                        .arg(path, octal(key.st_mode)));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(tr("cannot read the identity key %1: %2").arg(path, file.errorString()));
    WipedBytes text{file.read(4096)};
    const auto damaged = [&](const QString& what) {
        return fail(tr("the identity key %1 is damaged (%2); restore it from a backup, or delete it to make a new "
                       "identity")
                        .arg(path, what));
    };
    // Parsed in place over views, so that no copy of the seed's text is left behind unwiped.
    const QByteArrayView all(text.bytes);
    const qsizetype firstEnd = all.indexOf('\n');
    if (firstEnd < 0 || all.first(firstEnd) != Header)
        return damaged(tr("not a Pigeon identity key"));
    WipedBytes seed;
    QByteArray publicKey;
    for (qsizetype pos = firstEnd + 1; pos < all.size();) {
        qsizetype end = all.indexOf('\n', pos);
        if (end < 0)
            end = all.size();
        const QByteArrayView line = all.sliced(pos, end - pos);
        const auto base64 = [&line](qsizetype skip) {
            return QByteArray::fromBase64(QByteArray::fromRawData(line.data() + skip, line.size() - skip),
                                          QByteArray::AbortOnBase64DecodingErrors);
        };
        if (line.startsWith("seed "))
            seed.bytes = base64(5);
        else if (line.startsWith("public "))
            publicKey = base64(7);
        pos = end + 1;
    }
    if (seed.bytes.size() != crypto_sign_SEEDBYTES)
        return damaged(tr("no 32-byte seed"));
    if (publicKey.size() != crypto_sign_PUBLICKEYBYTES)
        return damaged(tr("no 32-byte public key"));
    crypto_sign_seed_keypair(m_public.data(), m_secret.data(),
                             reinterpret_cast<const unsigned char*>(seed.bytes.constData()));
    if (sodium_memcmp(m_public.data(), publicKey.constData(), m_public.size()) != 0)
        return damaged(tr("the seed does not give the public key"));
    return true;
}

bool KeyStore::create(const QString& path)
{
    crypto::SecretBytes<crypto_sign_SEEDBYTES> seed;
    randombytes_buf(seed.data(), seed.size());
    crypto_sign_seed_keypair(m_public.data(), m_secret.data(), seed.data());
    WipedBytes text;
    text.bytes =
        Header.toByteArray() + "\nseed " +
        QByteArray(reinterpret_cast<const char*>(seed.data()), qsizetype(seed.size())).toBase64() + "\npublic " +
        QByteArray(reinterpret_cast<const char*>(m_public.data()), qsizetype(m_public.size())).toBase64() + '\n';
    QSaveFile file(path);
    // The temporary file is made private before the secret is written into it; commit() keeps its mode.
    if (!file.open(QIODevice::WriteOnly) || ::fchmod(file.handle(), 0600) != 0 ||
        file.write(text.bytes) != text.bytes.size() || !file.commit())
        return fail(tr("cannot save the identity key %1: %2").arg(path, file.errorString()));
    m_created = true;
    return true;
}

QByteArray KeyStore::sign(QByteArrayView message) const
{
    QByteArray signature(crypto_sign_BYTES, Qt::Uninitialized);
    crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(message.data()), quint64(message.size()),
                         m_secret.data());
    return signature;
}

QString KeyStore::fingerprint() const
{
    return crypto::fingerprint(m_public);
}
