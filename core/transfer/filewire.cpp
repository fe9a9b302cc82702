#include "filewire.h"

#include <QtEndian>

namespace filewire {

namespace {

enum class Kind : quint8 {
    Offer = 1,
    Accept = 2,
    Pending = 3,
    Data = 4,
    Sack = 5,
    Done = 6,
    Cancel = 7,
    ChunkSize = 8
};

class Writer {
public:
    template <typename T>
    void number(T value)
    {
        char bytes[sizeof(T)];
        qToLittleEndian(value, bytes);
        m_out.append(bytes, sizeof(T));
    }
    // A UTF-8 string with a 16-bit length.
    void text(const QString& s)
    {
        const QByteArray utf8 = s.toUtf8();
        number(quint16(utf8.size()));
        m_out.append(utf8);
    }
    void raw(const QByteArray& bytes) { m_out.append(bytes); }
    QByteArray take() { return std::move(m_out); }

private:
    QByteArray m_out;
};

// Reads with bounds checks; the first failure sticks and says why.
class Reader {
public:
    explicit Reader(QByteArrayView in)
        : m_in(in)
    {
    }
    template <typename T>
    T number()
    {
        if (!need(sizeof(T)))
            return 0;
        const T value = qFromLittleEndian<T>(m_in.data() + m_at);
        m_at += qsizetype(sizeof(T));
        return value;
    }
    QByteArray raw(qsizetype size)
    {
        if (!need(size))
            return {};
        const QByteArray out = m_in.sliced(m_at, size).toByteArray();
        m_at += size;
        return out;
    }
    QString text(qsizetype maxBytes)
    {
        const quint16 size = number<quint16>();
        if (size > maxBytes)
            return fail(QStringLiteral("a name of %1 bytes, over %2").arg(size).arg(maxBytes)), QString();
        const QByteArray utf8 = raw(size);
        const QString s = QString::fromUtf8(utf8);
        if (s.toUtf8() != utf8)
            return fail(QStringLiteral("a name that is not UTF-8")), QString();
        return s;
    }
    QByteArray rest()
    {
        const QByteArray out = m_in.sliced(m_at).toByteArray();
        m_at = m_in.size();
        return out;
    }
    bool fail(const QString& why)
    {
        if (m_error.isEmpty())
            m_error = why;
        return false;
    }
    // True when everything was read without an error and nothing is left over.
    bool finish(QString* error)
    {
        if (m_error.isEmpty() && m_at != m_in.size())
            m_error = QStringLiteral("%1 bytes after the end").arg(m_in.size() - m_at);
        if (error)
            *error = m_error;
        return m_error.isEmpty();
    }
    qsizetype left() const { return m_in.size() - m_at; }

private:
    bool need(qsizetype size)
    {
        if (!m_error.isEmpty())
            return false;
        if (size < 0 || m_in.size() - m_at < size)
            return fail(QStringLiteral("truncated"));
        return true;
    }
    QByteArrayView m_in;
    qsizetype m_at = 0;
    QString m_error;
};

} // namespace

QByteArray encodeManifest(const QList<Entry>& entries)
{
    Writer w;
    w.number(quint32(entries.size()));
    for (const Entry& e : entries) {
        w.number(quint8(e.folder ? 1 : 0));
        w.text(e.path);
        if (!e.folder) {
            w.number(e.size);
            w.raw(e.sha256.leftJustified(Sha256Bytes, '\0', true));
        }
    }
    return w.take();
}

std::optional<QList<Entry>> decodeManifest(QByteArrayView bytes, QString* error)
{
    if (bytes.size() > qsizetype(MaxManifestBytes)) {
        if (error)
            *error = QStringLiteral("a manifest over %1 bytes").arg(MaxManifestBytes);
        return std::nullopt;
    }
    Reader r(bytes);
    const quint32 count = r.number<quint32>();
    if (count > MaxEntries || count == 0) {
        if (error)
            *error =
                count ? QStringLiteral("%1 entries, over %2").arg(count).arg(MaxEntries) : QStringLiteral("no entries");
        return std::nullopt;
    }
    QList<Entry> entries;
    // Each entry takes at least 3 bytes, so a count the bytes cannot hold allocates nothing.
    if (qsizetype(count) * 3 > r.left()) {
        if (error)
            *error = QStringLiteral("truncated");
        return std::nullopt;
    }
    entries.reserve(count);
    quint64 total = 0;
    for (quint32 i = 0; i < count; ++i) {
        Entry e;
        const quint8 kind = r.number<quint8>();
        if (kind > 1) {
            r.fail(QStringLiteral("entry kind %1").arg(kind));
            break;
        }
        e.folder = kind == 1;
        e.path = r.text(MaxPathBytes);
        if (!e.folder) {
            e.size = r.number<quint64>();
            e.sha256 = r.raw(Sha256Bytes);
            if (e.size > (quint64(1) << 50) - total) {
                r.fail(QStringLiteral("files over 1 PiB"));
                break;
            }
            total += e.size;
        }
        entries.append(std::move(e));
    }
    if (!r.finish(error))
        return std::nullopt;
    return entries;
}

QByteArray encode(const Payload& payload)
{
    Writer w;
    w.number(Version);
    std::visit(
        [&w](const auto& p) {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, Offer>) {
                w.number(quint8(Kind::Offer));
                w.number(p.id);
                w.text(p.name);
                w.number(p.totalBytes);
                w.number(p.files);
                w.number(p.manifestBytes);
                w.raw(p.manifestSha256.leftJustified(Sha256Bytes, '\0', true));
            } else if constexpr (std::is_same_v<T, Accept>) {
                w.number(quint8(Kind::Accept));
                w.number(p.id);
                w.number(p.session);
                w.number(p.from);
            } else if constexpr (std::is_same_v<T, Pending>) {
                w.number(quint8(Kind::Pending));
                w.number(p.id);
            } else if constexpr (std::is_same_v<T, Data>) {
                w.number(quint8(Kind::Data));
                w.number(p.id);
                w.number(p.offset);
                w.raw(p.bytes);
            } else if constexpr (std::is_same_v<T, Sack>) {
                w.number(quint8(Kind::Sack));
                w.number(p.id);
                w.number(p.session);
                w.number(p.cumulative);
                const auto count = std::min<qsizetype>(p.ranges.size(), MaxSackRanges);
                w.number(quint8(count));
                for (qsizetype i = 0; i < count; ++i) {
                    w.number(p.ranges[i].first);
                    w.number(p.ranges[i].second);
                }
            } else if constexpr (std::is_same_v<T, Done>) {
                w.number(quint8(Kind::Done));
                w.number(p.id);
            } else if constexpr (std::is_same_v<T, ChunkSize>) {
                w.number(quint8(Kind::ChunkSize));
                w.number(p.id);
                w.number(p.bytes);
            } else {
                w.number(quint8(Kind::Cancel));
                w.number(p.id);
                w.number(quint8(p.reason));
                w.text(QString::fromUtf8(p.text.toUtf8().left(MaxNameBytes)));
            }
        },
        payload);
    return w.take();
}

std::optional<Payload> decode(QByteArrayView bytes, QString* error)
{
    Reader r(bytes);
    const quint8 version = r.number<quint8>();
    const quint8 kind = r.number<quint8>();
    const quint64 id = r.number<quint64>();
    std::optional<Payload> out;
    if (version != Version) {
        r.fail(QStringLiteral("version %1").arg(version));
    } else {
        switch (Kind(kind)) {
        case Kind::Offer: {
            Offer o;
            o.id = id;
            o.name = r.text(MaxNameBytes);
            o.totalBytes = r.number<quint64>();
            o.files = r.number<quint32>();
            o.manifestBytes = r.number<quint32>();
            o.manifestSha256 = r.raw(Sha256Bytes);
            if (o.manifestBytes > MaxManifestBytes || o.files > MaxEntries)
                r.fail(QStringLiteral("an offer over the manifest bounds"));
            out = o;
            break;
        }
        case Kind::Accept: {
            Accept a;
            a.id = id;
            a.session = r.number<quint32>();
            a.from = r.number<quint64>();
            out = a;
            break;
        }
        case Kind::Pending: out = Pending{id}; break;
        case Kind::Data: {
            Data d;
            d.id = id;
            d.offset = r.number<quint64>();
            d.bytes = r.rest();
            if (d.bytes.isEmpty() || d.bytes.size() > ChunkBytes)
                r.fail(QStringLiteral("a data payload of %1 bytes").arg(d.bytes.size()));
            out = d;
            break;
        }
        case Kind::Sack: {
            Sack s;
            s.id = id;
            s.session = r.number<quint32>();
            s.cumulative = r.number<quint64>();
            const quint8 count = r.number<quint8>();
            if (count > MaxSackRanges)
                r.fail(QStringLiteral("%1 SACK ranges").arg(count));
            for (int i = 0; i < count && r.left() >= 16; ++i) {
                const quint64 begin = r.number<quint64>();
                const quint64 end = r.number<quint64>();
                if (begin >= end || begin < s.cumulative)
                    r.fail(QStringLiteral("a SACK range that is empty or below the cumulative point"));
                s.ranges.append({begin, end});
            }
            if (s.ranges.size() != count)
                r.fail(QStringLiteral("truncated"));
            out = s;
            break;
        }
        case Kind::Done: out = Done{id}; break;
        case Kind::Cancel: {
            Cancel c;
            c.id = id;
            const quint8 reason = r.number<quint8>();
            if (reason < quint8(Reason::Declined) || reason > quint8(Reason::Unknown))
                r.fail(QStringLiteral("reason %1").arg(reason));
            c.reason = Reason(reason);
            c.text = r.text(MaxNameBytes);
            out = c;
            break;
        }
        case Kind::ChunkSize: {
            ChunkSize c;
            c.id = id;
            c.bytes = r.number<quint16>();
            if (c.bytes == 0 || c.bytes > ChunkBytes)
                r.fail(QStringLiteral("a chunk size of %1 bytes").arg(c.bytes));
            out = c;
            break;
        }
        default: r.fail(QStringLiteral("kind %1").arg(kind));
        }
    }
    if (!r.finish(error))
        return std::nullopt;
    return out;
}

void writeDataHeader(char* out, quint64 id, quint64 offset)
{
    out[0] = char(Version);
    out[1] = char(Kind::Data);
    qToLittleEndian(id, out + 2);
    qToLittleEndian(offset, out + 10);
}

std::optional<DataView> decodeData(QByteArrayView payload)
{
    const qsizetype size = payload.size() - DataHeaderBytes;
    if (size < 1 || size > ChunkBytes || quint8(payload[0]) != Version || quint8(payload[1]) != quint8(Kind::Data))
        return std::nullopt;
    return DataView{qFromLittleEndian<quint64>(payload.data() + 2), qFromLittleEndian<quint64>(payload.data() + 10),
                    payload.sliced(DataHeaderBytes)};
}

quint64 idOf(const Payload& payload)
{
    return std::visit([](const auto& p) { return p.id; }, payload);
}

} // namespace filewire
