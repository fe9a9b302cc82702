#include "contactspec.h"

#include "endpoint.h"
#include "textcodec.h"

namespace {

// One option keyword and what it sets.
struct Option {
    const char* keyword;
    void (*apply)(Contact& contact);
};

// Keywords other than encodings; every name textcodec::encodingFromName knows sets the text encoding.
constexpr Option Options[] = {
    {"plain",
     [](Contact& c) {
         c.protocol = Protocol::PlainText;
     }},
};
// The encodings usage lines name (encodingFromName also takes aliases such as utf8, gb18030, shift_jis).
constexpr TextEncoding Encodings[] = {TextEncoding::Auto, TextEncoding::Utf8, TextEncoding::Gbk, TextEncoding::Cp932};

} // namespace

QStringList ContactSpec::options()
{
    QStringList out;
    for (const Option& option : Options)
        out.append(QLatin1String(option.keyword));
    for (const TextEncoding encoding : Encodings)
        out.append(textcodec::encodingName(encoding));
    return out;
}

QString ContactSpec::usage()
{
    QString out = QStringLiteral("NAME HOST[:PORT]");
    for (const Option& option : Options)
        out += QStringLiteral(" [") + QLatin1String(option.keyword) + u']';
    QStringList encodings;
    for (const TextEncoding encoding : Encodings)
        encodings.append(textcodec::encodingName(encoding));
    return out + QStringLiteral(" [") + encodings.join(u'|') + u']';
}

std::optional<Contact> ContactSpec::parse(const QStringList& words, QString* error)
{
    const auto refuse = [error](const QString& why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (words.size() < 2)
        return refuse(tr("A contact needs a name and a host: %1.").arg(usage()));
    Contact c;
    c.name = words[0];
    const QString& where = words[1];
    QStringView host = where;
    QStringView port;
    if (where.startsWith(u'[')) { // [IPv6] or [IPv6]:PORT
        const qsizetype close = where.indexOf(u']');
        if (close < 0 || (close + 1 < where.size() && where[close + 1] != u':'))
            return refuse(tr("\"%1\" is not a host: write an IPv6 address with a port as [ADDRESS]:PORT.").arg(where));
        host = QStringView(where).mid(1, close - 1);
        if (close + 1 < where.size())
            port = QStringView(where).mid(close + 2);
    } else if (where.count(u':') == 1) { // HOST:PORT; more colons are a bare IPv6 address
        const qsizetype colon = where.indexOf(u':');
        host = QStringView(where).left(colon);
        port = QStringView(where).mid(colon + 1);
    }
    if (!port.isNull()) {
        const auto number = parsePort(port);
        if (!number)
            return refuse(tr("The port must be a number from 1 to 65535."));
        c.port = *number;
    }
    c.host = host.toString();
    for (const QString& word : words.mid(2)) {
        const Option* found = nullptr;
        for (const Option& option : Options)
            if (word.compare(QLatin1String(option.keyword), Qt::CaseInsensitive) == 0)
                found = &option;
        if (found) {
            found->apply(c);
        } else if (const auto encoding = textcodec::encodingFromName(word)) {
            c.encoding = *encoding;
        } else {
            return refuse(tr("Unknown option \"%1\": use one of %2.").arg(word, options().join(QStringLiteral(", "))));
        }
    }
    return c;
}
