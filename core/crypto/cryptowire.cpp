#include "cryptowire.h"

#include <QCoreApplication>

namespace cryptowire {

namespace {

constexpr QByteArrayView AnnouncePrefix = "PK:1:";
constexpr qsizetype AnnounceBytes = 32 + 32 + 64;

QString tr(const char* text)
{
    return QCoreApplication::translate("cryptowire", text);
}

} // namespace

std::optional<EnvelopeView> read(QByteArrayView bytes, QString* error)
{
    const auto fail = [error](const QString& why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (bytes.size() < Overhead)
        return fail(tr("sealed envelope shorter than its 49-byte overhead"));
    if (quint8(bytes[0]) != Version)
        return fail(tr("sealed envelope of an unknown version"));
    EnvelopeView e;
    for (int i = 1; i <= 8; ++i)
        e.counter = e.counter << 8 | quint8(bytes[i]);
    if (e.counter == 0)
        return fail(tr("sealed envelope with counter 0"));
    std::copy(bytes.begin() + 9, bytes.begin() + HeaderBytes, e.nonce.begin());
    e.ciphertext = bytes.sliced(HeaderBytes);
    return e;
}

std::optional<Envelope> decode(QByteArrayView bytes, QString* error)
{
    const auto view = read(bytes, error);
    if (!view)
        return std::nullopt;
    return Envelope{view->counter, view->nonce, view->ciphertext.toByteArray()};
}

void appendHeader(QByteArray& out, quint64 counter, const std::array<unsigned char, NonceBytes>& nonce)
{
    out.append(char(Version));
    for (int shift = 56; shift >= 0; shift -= 8)
        out.append(char(quint8(counter >> shift)));
    out.append(reinterpret_cast<const char*>(nonce.data()), NonceBytes);
}

QByteArray encode(const Envelope& e)
{
    QByteArray out;
    out.reserve(HeaderBytes + e.ciphertext.size());
    appendHeader(out, e.counter, e.nonce);
    out.append(e.ciphertext);
    return out;
}

QByteArray announcementLine(const Announcement& a)
{
    QByteArray raw;
    raw.reserve(AnnounceBytes);
    raw.append(reinterpret_cast<const char*>(a.identity.data()), qsizetype(a.identity.size()));
    raw.append(reinterpret_cast<const char*>(a.ephemeral.data()), qsizetype(a.ephemeral.size()));
    raw.append(reinterpret_cast<const char*>(a.signature.data()), qsizetype(a.signature.size()));
    return AnnouncePrefix.toByteArray() + raw.toBase64();
}

std::optional<Announcement> findAnnouncement(QByteArrayView extension, QString* error)
{
    if (error)
        error->clear();
    // The UTF-8 block follows the first "\0\n" (as ipmsg::parseEntry finds it); its lines are KEY:value.
    const qsizetype block = extension.indexOf(QByteArrayView("\0\n", 2));
    if (block < 0)
        return std::nullopt;
    const QByteArrayView lines = extension.sliced(block + 2);
    for (qsizetype pos = 0; pos < lines.size();) {
        qsizetype end = lines.indexOf('\n', pos);
        if (end < 0)
            end = lines.size();
        const QByteArrayView line = lines.sliced(pos, end - pos);
        pos = end + 1;
        if (!line.startsWith("PK:"))
            continue;
        const auto fail = [error](const QString& why) {
            if (error)
                *error = why;
            return std::nullopt;
        };
        if (!line.startsWith(AnnouncePrefix))
            return fail(tr("key announcement of an unknown version"));
        const QByteArrayView text = line.sliced(AnnouncePrefix.size());
        const auto decoded = QByteArray::fromBase64Encoding(QByteArray(text.data(), text.size()),
                                                            QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.size() != AnnounceBytes)
            return fail(tr("key announcement is not 128 bytes of base64"));
        Announcement a;
        const auto* raw = reinterpret_cast<const unsigned char*>(decoded.decoded.constData());
        std::copy(raw, raw + 32, a.identity.begin());
        std::copy(raw + 32, raw + 64, a.ephemeral.begin());
        std::copy(raw + 64, raw + 128, a.signature.begin());
        return a;
    }
    return std::nullopt;
}

} // namespace cryptowire
