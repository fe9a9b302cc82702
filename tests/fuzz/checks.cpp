#include "checks.h"

#include "channel.h"
#include "contactbook.h"
#include "cryptowire.h"
#include "faketransport.h"
#include "filewire.h"
#include "fragment.h"
#include "grouppayload.h"
#include "handshake.h"
#include "ipmsg.h"
#include "ipmsgfilewire.h"
#include "messenger.h"
#include "pinnedkeys.h"
#include "safename.h"
#include "textcodec.h"

#include <QCoreApplication>
#include <QTemporaryDir>

#include <algorithm>

namespace fuzzchecks {

namespace {

QByteArray withoutNul(QByteArray field)
{
    return field.replace('\0', '_');
}

} // namespace

QString ipmsgPacket(QByteArrayView data)
{
    const ipmsg::DecodeResult decoded = ipmsg::decode(data);
    if (!decoded.packet)
        return decoded.error.isEmpty() ? QStringLiteral("decode failed without saying why") : QString();
    if (!decoded.error.isEmpty())
        return QStringLiteral("decode succeeded with an error");
    const ipmsg::Packet& p = *decoded.packet;
    if (p.version.contains(':') || p.user.contains(':') || p.host.contains(':'))
        return QStringLiteral("a header field holds ':'");
    if (p.text().contains('\0'))
        return QStringLiteral("text() holds a NUL");
    const ipmsg::DecodeResult again = ipmsg::decode(ipmsg::encode(p));
    if (!again.packet)
        return QStringLiteral("a decoded packet does not decode after encode: ") + again.error;
    const ipmsg::Packet& q = *again.packet;
    if (q.packetNo != p.packetNo || q.command != p.command || q.extension != p.extension ||
        q.version != withoutNul(p.version) || q.user != withoutNul(p.user) || q.host != withoutNul(p.host))
        return QStringLiteral("encode/decode round trip changed the packet");
    const ipmsg::EntryInfo entry = ipmsg::parseEntry(p.extension);
    if (entry.nick.contains('\0') || entry.group.contains('\0'))
        return QStringLiteral("parseEntry kept a NUL in nick or group");
    if (ipmsg::modeName(p.mode()).isEmpty())
        return QStringLiteral("modeName is empty");
    return {};
}

QString groupPayload(QByteArrayView data)
{
    QString why;
    const auto p = grouppayload::decode(data, &why);
    if (!p)
        return why.isEmpty() ? QStringLiteral("decode failed without saying why") : QString();
    if (p->id.size() != grouppayload::IdBytes)
        return QStringLiteral("an id that is not 128 bits");
    if (p->members.size() > Roster::MaxEntries)
        return QStringLiteral("more members than the bound");
    const auto again = grouppayload::decode(grouppayload::encode(*p));
    if (!again)
        return QStringLiteral("a decoded payload does not decode after encode");
    if (again->kind != p->kind || again->id != p->id || again->name != p->name || again->clock != p->clock ||
        again->text != p->text || again->members != p->members)
        return QStringLiteral("encode/decode round trip changed the payload");
    const Roster roster(p->members);
    if (roster.members().size() > Roster::MaxMembers || roster.entries().size() > Roster::MaxEntries)
        return QStringLiteral("a roster over its bounds");
    return {};
}

QString plainText(QByteArrayView data)
{
    const QByteArray bytes = data.toByteArray();
    for (const auto& [flagged, expected] :
         {std::pair{false, TextEncoding::Utf8}, std::pair{true, TextEncoding::Utf8},
          std::pair{false, TextEncoding::Gbk}, std::pair{false, TextEncoding::Cp932}}) {
        const QString text = textcodec::decode(bytes, flagged, expected);
        if (!bytes.isEmpty() && text.isEmpty() && !bytes.startsWith("\xef\xbb\xbf"))
            return QStringLiteral("non-empty bytes decoded to nothing");
        const QString shown = textcodec::printable(text);
        for (QChar c : shown) {
            const char16_t u = c.unicode();
            if ((u < 0x20 && u != u'\n' && u != u'\t') || u == 0x7f || (u >= 0x80 && u < 0xa0) ||
                (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069))
                return QStringLiteral("printable() let U+%1 through").arg(u, 4, 16, QLatin1Char('0'));
        }
    }
    if (textcodec::isValidUtf8(bytes)) {
        QByteArray expected = bytes;
        if (expected.startsWith("\xef\xbb\xbf"))
            expected.remove(0, 3);
        if (textcodec::decode(bytes).toUtf8() != expected)
            return QStringLiteral("valid UTF-8 did not survive decode");
    }
    const QString text = textcodec::decode(bytes);
    if (textcodec::decode(textcodec::encode(text, TextEncoding::Gbk)).isEmpty() != text.isEmpty())
        return QStringLiteral("GBK encoding lost the whole text");
    // CP932 lacks characters, which become '?', never nothing; text it has survives the round trip.
    const QByteArray cp932 = textcodec::encode(text, TextEncoding::Cp932);
    if (cp932.isEmpty() != text.isEmpty())
        return QStringLiteral("CP932 encoding lost the whole text");
    const QString back = textcodec::decode(cp932, false, TextEncoding::Cp932);
    // ICU's windows-31j table maps a few C0 control codes (0x1A, 0x1C, 0x7F) to one another, so the round trip
    // is only promised for text without control characters (which printable() escapes when shown anyway).
    const bool controls = std::any_of(text.cbegin(), text.cend(), [](QChar c) {
        return (c.unicode() < 0x20 && c != u'\n' && c != u'\t' && c != u'\r') || c.unicode() == 0x7f;
    });
    if (!controls && !cp932.contains('?') && !text.contains(QChar::ReplacementCharacter) && back != text)
        return QStringLiteral("CP932 round trip changed text that CP932 has");
    QByteArray joined;
    for (const QByteArray& part : textcodec::split(text, TextEncoding::Cp932, 7)) {
        if (part.size() > 7)
            return QStringLiteral("CP932 split made a part over the limit");
        joined += part;
    }
    if (joined != cp932)
        return QStringLiteral("CP932 parts do not join to the whole");
    return {};
}

// Input: records of [source (1 byte), time step (1 byte), length (2 bytes, little-endian), extension].
QString fragments(QByteArrayView data)
{
    // Small limits, so that short inputs reach every one of them.
    Reassembler::Limits limits;
    limits.maxPending = 4;
    limits.maxBytes = 256;
    limits.maxPendingPerSource = 2;
    limits.timeoutMs = 2000;
    Reassembler reassembler(limits);
    static const Endpoint sources[] = {{QHostAddress(QHostAddress::LocalHost), 2425},
                                       {QHostAddress(QHostAddress::LocalHost), 2426},
                                       {QHostAddress(quint32(0x7f000002)), 2425},
                                       {QHostAddress(QHostAddress::LocalHostIPv6), 2425}};
    qint64 now = 0;
    qsizetype pos = 0;
    while (pos + 4 <= data.size()) {
        const auto byte = [&](qsizetype i) {
            return quint8(data[pos + i]);
        };
        const Endpoint& from = sources[byte(0) % std::size(sources)];
        now += byte(1) * 16;
        const qsizetype length = std::min<qsizetype>(byte(2) | (byte(3) << 8), data.size() - pos - 4);
        const QByteArrayView extension = data.sliced(pos + 4, length);
        pos += 4 + length;

        QString why;
        const auto part = fragment::decode(extension, &why);
        if (!part) {
            if (why.isEmpty())
                return QStringLiteral("fragment::decode failed without saying why");
            continue;
        }
        if (part->index < 0 || part->index >= part->count || part->count > fragment::MaxParts ||
            part->bytes.size() > fragment::PartBytes)
            return QStringLiteral("fragment::decode accepted a part out of range");
        const auto again = fragment::decode(fragment::encode(*part));
        if (!again || again->messageNo != part->messageNo || again->index != part->index ||
            again->count != part->count || again->bytes != part->bytes)
            return QStringLiteral("fragment encode/decode round trip changed the part");

        const Reassembler::Result r = reassembler.add(from, *part, now);
        if (r.outcome == Reassembler::Outcome::Refused && r.error.isEmpty())
            return QStringLiteral("a part was refused without a reason");
        if (r.outcome == Reassembler::Outcome::Complete && r.text.size() > qsizetype(part->count) * fragment::PartBytes)
            return QStringLiteral("a completed message is longer than its parts");
        if (r.outcome != Reassembler::Outcome::Complete && !r.text.isEmpty())
            return QStringLiteral("text returned for an incomplete message");
        if (reassembler.pending() > limits.maxPending || reassembler.pending() < 0)
            return QStringLiteral("%1 messages pending, limit %2").arg(reassembler.pending()).arg(limits.maxPending);
        if (reassembler.heldBytes() > limits.maxBytes || reassembler.heldBytes() < 0)
            return QStringLiteral("%1 bytes held, limit %2").arg(reassembler.heldBytes()).arg(limits.maxBytes);
        if (reassembler.pending() == 0 && reassembler.heldBytes() != 0)
            return QStringLiteral("bytes held with no message pending");
    }
    reassembler.expire(now + limits.timeoutMs + 1);
    if (reassembler.pending() != 0 || reassembler.heldBytes() != 0)
        return QStringLiteral("expire() left messages or bytes behind");
    return {};
}

QString contacts(QByteArrayView data)
{
    QString error;
    const auto parsed = ContactBook::parse(data.toByteArray(), &error);
    if (!parsed)
        return error.startsWith(u"line ") ? QString() : QStringLiteral("a parse error that names no line: ") + error;
    QString again;
    const auto reparsed = ContactBook::parse(ContactBook::serialize(*parsed), &again);
    if (!reparsed)
        return QStringLiteral("serialize() wrote a file parse() refuses: ") + again;
    if (*reparsed != *parsed)
        return QStringLiteral("serialize/parse round trip changed the contacts");
    return {};
}

namespace {

// A channel with the fixed keys `k` (checks.h).
Channel fuzzChannel(const FuzzKeys& k)
{
    crypto::SessionKeys keys;
    std::fill_n(keys.send.data(), keys.send.size(), k.send);
    std::fill_n(keys.receive.data(), keys.receive.size(), k.receive);
    crypto::IdentityKey self{};
    crypto::IdentityKey peer{};
    self.fill(k.self);
    peer.fill(k.peer);
    return Channel(keys, self, peer);
}

} // namespace

QString envelope(QByteArrayView data)
{
    if (!crypto::ready())
        return QStringLiteral("libsodium did not start");
    QString error;
    const auto e = cryptowire::decode(data, &error);
    if (!e && error.isEmpty())
        return QStringLiteral("envelope decode failed without saying why");
    if (e) {
        if (e->counter == 0 || e->ciphertext.size() < cryptowire::TagBytes)
            return QStringLiteral("decode accepted an envelope without counter or tag");
        if (cryptowire::encode(*e) != data)
            return QStringLiteral("envelope decode/encode round trip changed the bytes");
    }
    // read() (in place, what Channel::open uses) accepts exactly what decode() accepts, with the same fields.
    const auto view = cryptowire::read(data, nullptr);
    if (view.has_value() != e.has_value() ||
        (view && (view->counter != e->counter || view->nonce != e->nonce || view->ciphertext != e->ciphertext)))
        return QStringLiteral("read() and decode() disagree");
    Channel receiver =
        fuzzChannel({EnvelopeSender.receive, EnvelopeSender.send, EnvelopeSender.peer, EnvelopeSender.self});
    Channel::Refusal why = Channel::Refusal::None;
    const auto opened = receiver.open(data, &why);
    if (opened) {
        if (!e || opened->size() != e->ciphertext.size() - cryptowire::TagBytes)
            return QStringLiteral("opened a plaintext of the wrong size");
        if (receiver.open(data, &why) || why != Channel::Refusal::Replayed)
            return QStringLiteral("the same envelope opened twice");
    } else if (why == Channel::Refusal::None || (e.has_value() == (why == Channel::Refusal::Malformed))) {
        return QStringLiteral("a refused envelope without the right reason");
    }

    const auto a = cryptowire::findAnnouncement(data, &error);
    if (a) {
        if (!error.isEmpty())
            return QStringLiteral("an announcement found with an error");
        const QByteArray line = cryptowire::announcementLine(*a);
        const auto again = cryptowire::findAnnouncement(QByteArray(QByteArray("n\0g\0\n", 5) + line + '\n'), &error);
        if (!again || !(*again == *a))
            return QStringLiteral("announcement encode/find round trip changed it");
        crypto::verify(*a);
    }
    return {};
}

QString pinnedKeys(QByteArrayView data)
{
    QString error;
    const auto parsed = PinnedKeys::parse(data.toByteArray(), &error);
    if (!parsed)
        return error.startsWith(u"line ") ? QString() : QStringLiteral("a parse error that names no line: ") + error;
    QString again;
    const auto reparsed = PinnedKeys::parse(PinnedKeys::serialize(*parsed), &again);
    if (!reparsed)
        return QStringLiteral("serialize() wrote a file parse() refuses: ") + again;
    if (*reparsed != *parsed)
        return QStringLiteral("serialize/parse round trip changed the pinned keys");
    return {};
}

QString engine(QByteArrayView data)
{
    // libFuzzer has no application object; the engine needs an event loop for queued deliveries and timers.
    if (!QCoreApplication::instance()) {
        static int argc = 1;
        static char name[] = "fuzz_engine";
        static char* argv[] = {name, nullptr};
        new QCoreApplication(argc, argv);
    }
    static const Endpoint Me{QHostAddress(QStringLiteral("127.0.0.1")), 2426};
    static const Endpoint Sources[] = {
        {QHostAddress(QStringLiteral("127.0.0.2")), 2425}, // Alice
        {QHostAddress(QStringLiteral("127.0.0.2")), 2500}, // Alice's host, another port
        {QHostAddress(QStringLiteral("127.0.0.3")), 7000}, // the plain-text contact
        {QHostAddress(QStringLiteral("127.0.0.9")), 5555}, // a stranger
    };
    QTemporaryDir dir;
    if (!dir.isValid())
        return QStringLiteral("no temporary folder");
    ContactBook contacts;
    if (!contacts.load(dir.filePath(QStringLiteral("contacts.ini"))) ||
        !contacts.add({QStringLiteral("Alice"), QStringLiteral("127.0.0.2"), 2425}).isEmpty() ||
        !contacts.add({QStringLiteral("Plain"), QStringLiteral("127.0.0.3"), 7000, Protocol::PlainText}).isEmpty())
        return QStringLiteral("the contacts could not be set up");
    History history;
    if (!history.open(dir.filePath(QStringLiteral("history.sqlite"))))
        return QStringLiteral("the history could not be opened: ") + history.error();
    FakeTransport transport(Me);
    Messenger messenger(Identity{QStringLiteral("Me"), {}, "me", "my-pc"}, &contacts, &history, &transport);
    Messenger::Limits limits;
    limits.strangers = {1000, 16, 1000, 64, 8};
    limits.newStrangersPerHour = 2;
    messenger.setLimits(limits);
    Reassembler::Limits reassembly;
    reassembly.maxPending = 4;
    reassembly.maxBytes = 64 * 1024;
    messenger.setReassemblyLimits(reassembly);
    messenger.start();
    messenger.send(QStringLiteral("Alice"), QStringLiteral("hello Alice"));
    history.commit();
    QCoreApplication::processEvents();

    int datagrams = 0;
    for (qsizetype at = 0; at < data.size();) {
        const Endpoint& from = Sources[quint8(data[at]) % std::size(Sources)];
        const qsizetype length = at + 1 < data.size() ? quint8(data[at + 1]) : 0;
        const QByteArrayView bytes = data.sliced(std::min(at + 2, data.size()));
        const QByteArrayView datagram = bytes.first(std::min(length == 0 ? bytes.size() : length, bytes.size()));
        transport.deliver(datagram.toByteArray(), from);
        ++datagrams;
        at += 2 + datagram.size();
    }
    QCoreApplication::processEvents();
    history.commit();
    QCoreApplication::processEvents();

    const Messenger::Stats& stats = messenger.stats();
    const Messenger::Tables tables = messenger.tables();
    if (stats.datagramsIn != quint64(datagrams))
        return QStringLiteral("%1 datagrams delivered, %2 counted").arg(datagrams).arg(stats.datagramsIn);
    if (stats.dropped > stats.datagramsIn || stats.rateLimited + stats.strangersRefused > stats.dropped)
        return QStringLiteral("the drop counters do not add up");
    if (tables.rateSources > limits.strangers.maxSources)
        return QStringLiteral("rate limiter over its cap: %1").arg(tables.rateSources);
    if (tables.strangers > limits.newStrangersPerHour)
        return QStringLiteral("strangers over their cap: %1").arg(tables.strangers);
    if (tables.reassembling > reassembly.maxPending || tables.reassemblyBytes > reassembly.maxBytes)
        return QStringLiteral("reassembly over its caps: %1 messages, %2 bytes")
            .arg(tables.reassembling)
            .arg(tables.reassemblyBytes);
    if (tables.links > int(std::size(Sources)) + 1)
        return QStringLiteral("%1 links from %2 sources").arg(tables.links).arg(std::size(Sources));
    const QList<ConversationSummary> conversations = history.conversations();
    if (conversations.size() > 2 + limits.newStrangersPerHour)
        return QStringLiteral("%1 conversations").arg(conversations.size());
    for (const FakeTransport::Sent& s : transport.sent) {
        if (s.to == Sources[2])
            continue;
        if (!ipmsg::decode(s.data).packet)
            return QStringLiteral("the engine sent a datagram that is no IPMsg packet: ") +
                   QString::fromLatin1(s.data.toPercentEncoding());
    }
    for (const ConversationSummary& c : conversations)
        for (const Message& m : history.conversation(c.peer, std::numeric_limits<double>::infinity(), 1000))
            if (m.text.trimmed().isEmpty())
                return QStringLiteral("an empty message was stored for ") + c.peer;
    return {};
}

QString filePayload(QByteArrayView data)
{
    QString error;
    const auto payload = filewire::decode(data, &error);
    if (payload) {
        if (!error.isEmpty())
            return QStringLiteral("decode succeeded with an error");
        if (filewire::encode(*payload) != data)
            return QStringLiteral("a decoded payload re-encodes to other bytes");
    } else if (error.isEmpty()) {
        return QStringLiteral("decode failed without saying why");
    }
    // The receiver reads data in place: exactly the Data payloads decode() accepts, with the same fields.
    const auto view = filewire::decodeData(data);
    const auto* full = payload ? std::get_if<filewire::Data>(&*payload) : nullptr;
    if (bool(view) != bool(full))
        return QStringLiteral("decodeData and decode disagree on a Data payload");
    if (view && (view->id != full->id || view->offset != full->offset || view->bytes != QByteArrayView(full->bytes)))
        return QStringLiteral("decodeData read other fields than decode");
    const auto entries = filewire::decodeManifest(data, &error);
    if (!entries)
        return error.isEmpty() ? QStringLiteral("decodeManifest failed without saying why") : QString();
    if (filewire::encodeManifest(*entries) != data)
        return QStringLiteral("a decoded manifest re-encodes to other bytes");
    const QString root = entries->first().path;
    if (!safename::checkManifest(root, *entries).isEmpty())
        return {};
    for (const filewire::Entry& e : *entries) {
        const QStringList parts = e.path.split(u'/');
        if (parts.first() != root || e.path.startsWith(u'/') || parts.contains(QStringLiteral("..")) ||
            parts.contains(QStringLiteral(".")) || e.path.contains(u'\\') || e.path.contains(u':'))
            return QStringLiteral("checkManifest accepted the path ") + e.path;
    }
    return {};
}

QString ipmsgFiles(QByteArrayView data)
{
    QString error;
    if (const auto list = ipmsgfiles::decodeAttachments(data, &error)) {
        if (list->isEmpty() || list->size() > ipmsgfiles::MaxAttachments)
            return QStringLiteral("an attachment list of %1 entries").arg(list->size());
        for (const ipmsgfiles::Attachment& a : *list)
            if (a.name.isEmpty() || a.name.size() > ipmsgfiles::MaxNameBytes || a.size > (quint64(1) << 62))
                return QStringLiteral("an attachment out of bounds");
        if (ipmsgfiles::decodeAttachments(ipmsgfiles::encodeAttachments(*list)) != list)
            return QStringLiteral("a decoded attachment list re-encodes to another list");
    } else if (error.isEmpty()) {
        return QStringLiteral("decodeAttachments failed without saying why");
    }
    qsizetype at = 0;
    while (at < data.size()) {
        const QByteArrayView rest = data.sliced(at);
        ipmsgfiles::Header h;
        qsizetype used = 0;
        error.clear();
        const ipmsgfiles::ParseStatus status = ipmsgfiles::parseHeader(rest, &h, &used, &error);
        if (status == ipmsgfiles::ParseStatus::Error)
            return error.isEmpty() ? QStringLiteral("parseHeader failed without saying why") : QString();
        if (status == ipmsgfiles::ParseStatus::NeedMore)
            return rest.size() >= ipmsgfiles::MaxHeaderBytes ? QStringLiteral("NeedMore with a whole header's bytes")
                                                             : QString();
        if (used <= 0 || used > rest.size() || used > ipmsgfiles::MaxHeaderBytes || h.name.isEmpty())
            return QStringLiteral("a header of %1 bytes").arg(used);
        for (const qsizetype prefix : {qsizetype(0), used / 2, used - 1}) {
            ipmsgfiles::Header ignored;
            qsizetype n = 0;
            if (ipmsgfiles::parseHeader(rest.first(prefix), &ignored, &n) != ipmsgfiles::ParseStatus::NeedMore)
                return QStringLiteral("a prefix of %1 bytes of an accepted header is not NeedMore").arg(prefix);
        }
        const QByteArray again = ipmsgfiles::encodeHeader(h);
        ipmsgfiles::Header back;
        qsizetype n = 0;
        if (ipmsgfiles::parseHeader(again, &back, &n) != ipmsgfiles::ParseStatus::Ok || back != h || n != again.size())
            return QStringLiteral("a header re-encodes to one that parses otherwise");
        at += used + qsizetype(std::min<quint64>(h.size, quint64(data.size() - at - used)));
    }
    return {};
}

} // namespace fuzzchecks
