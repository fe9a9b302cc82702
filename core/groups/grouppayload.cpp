#include "grouppayload.h"

#include "endpoint.h"
#include "fragment.h"
#include "textcodec.h"

namespace grouppayload {

namespace {

constexpr QByteArrayView Magic = "PGRP/1";

// Names travel on one line: line breaks and other control characters become spaces, and the length is bounded.
QByteArray oneLine(const QString& name)
{
    QString clean = name;
    for (QChar& c : clean)
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            c = u' ';
    QByteArray utf8 = clean.toUtf8();
    while (utf8.size() > MaxNameBytes) {
        clean.chop(1);
        utf8 = clean.toUtf8();
    }
    return utf8;
}

bool validName(QByteArrayView line)
{
    if (line.size() > MaxNameBytes || !textcodec::isValidUtf8(line.toByteArray()))
        return false;
    return std::none_of(line.cbegin(), line.cend(), [](char c) { return uchar(c) < 0x20 || c == 0x7f; });
}

std::optional<quint64> number(QByteArrayView field)
{
    if (field.isEmpty() || field.size() > 19)
        return std::nullopt;
    quint64 n = 0;
    for (char c : field) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + quint64(c - '0');
    }
    return n;
}

} // namespace

QString ipmsgText(const QString& groupName, const QString& text)
{
    return u'[' + groupName + QStringLiteral("] ") + text;
}

QByteArray encode(const Payload& p)
{
    QByteArray out = Magic.toByteArray() + (p.kind == Kind::Text ? " T " : " R ") + p.id.toHex() + ' ' +
                     QByteArray::number(p.clock) + '\n' + oneLine(p.name) + '\n';
    if (p.kind == Kind::Text)
        return out + p.text.toUtf8();
    const qsizetype count = std::min<qsizetype>(p.members.size(), Roster::MaxEntries);
    out += QByteArray::number(count) + '\n';
    for (qsizetype i = 0; i < count; ++i) {
        const Roster::Entry& e = p.members[i];
        out += QByteArray::number(e.clock) + ' ' + (e.left ? '1' : '0') + ' ' +
               (e.endpoint.isEmpty() ? QByteArray("-") : e.endpoint.toLatin1()) + ' ' + oneLine(e.name) + '\n';
    }
    return out;
}

std::optional<Payload> decode(QByteArrayView bytes, QString* error)
{
    const auto fail = [error](const char* why) -> std::optional<Payload> {
        if (error)
            *error = QString::fromLatin1(why);
        return std::nullopt;
    };
    qsizetype pos = 0;
    const auto line = [&]() -> std::optional<QByteArrayView> {
        const qsizetype nl = bytes.indexOf('\n', pos);
        if (nl < 0)
            return std::nullopt;
        const QByteArrayView l = bytes.sliced(pos, nl - pos);
        pos = nl + 1;
        return l;
    };
    const auto header = line();
    if (!header)
        return fail("no header line");
    const QList<QByteArrayView> fields = [&] {
        QList<QByteArrayView> out;
        qsizetype from = 0;
        for (qsizetype sp; (sp = header->indexOf(' ', from)) >= 0; from = sp + 1)
            out.append(header->sliced(from, sp - from));
        out.append(header->sliced(from));
        return out;
    }();
    if (fields.size() != 4 || fields[0] != Magic)
        return fail("header is not PGRP/1 KIND ID CLOCK");
    Payload p;
    if (fields[1] == "T")
        p.kind = Kind::Text;
    else if (fields[1] == "R")
        p.kind = Kind::Roster;
    else
        return fail("unknown kind");
    if (fields[2].size() != 2 * IdBytes ||
        !std::all_of(fields[2].cbegin(), fields[2].cend(), [](char c) { return std::isxdigit(uchar(c)); }))
        return fail("group id is not 32 hex digits");
    p.id = QByteArray::fromHex(fields[2].toByteArray());
    const auto clock = number(fields[3]);
    if (!clock)
        return fail("clock is not a number");
    p.clock = *clock;
    const auto name = line();
    if (!name || !validName(*name))
        return fail("group name missing, too long or not UTF-8");
    p.name = QString::fromUtf8(*name);
    if (p.kind == Kind::Text) {
        const QByteArray text = bytes.sliced(pos).toByteArray();
        if (text.size() > fragment::MaxMessageBytes || !textcodec::isValidUtf8(text))
            return fail("text too long or not UTF-8");
        p.text = QString::fromUtf8(text);
        return p;
    }
    const auto countLine = line();
    const auto count = countLine ? number(*countLine) : std::nullopt;
    if (!count || *count > quint64(Roster::MaxEntries))
        return fail("member count missing or over the bound");
    for (quint64 i = 0; i < *count; ++i) {
        const auto l = line();
        if (!l)
            return fail("fewer member lines than the count");
        const qsizetype a = l->indexOf(' ');
        const qsizetype b = a < 0 ? -1 : l->indexOf(' ', a + 1);
        const qsizetype c = b < 0 ? -1 : l->indexOf(' ', b + 1);
        if (c < 0)
            return fail("member line is not CLOCK LEFT ENDPOINT NAME");
        Roster::Entry e;
        const auto memberClock = number(l->first(a));
        const QByteArrayView left = l->sliced(a + 1, b - a - 1);
        const QByteArrayView endpoint = l->sliced(b + 1, c - b - 1);
        const QByteArrayView memberName = l->sliced(c + 1);
        if (!memberClock || (left != "0" && left != "1") || !validName(memberName))
            return fail("member line has a bad field");
        e.clock = *memberClock;
        e.left = left == "1";
        e.name = QString::fromUtf8(memberName);
        if (endpoint != "-") {
            const auto ep = Endpoint::parse(QString::fromLatin1(endpoint));
            if (!ep || ep->toString() != QString::fromLatin1(endpoint))
                return fail("member endpoint is not ADDRESS:PORT");
            e.endpoint = ep->toString();
        }
        if (std::any_of(p.members.cbegin(), p.members.cend(),
                        [&](const Roster::Entry& other) { return other.endpoint == e.endpoint; }))
            return fail("a member is listed twice");
        p.members.append(e);
    }
    if (pos != bytes.size())
        return fail("bytes after the member list");
    return p;
}

} // namespace grouppayload
