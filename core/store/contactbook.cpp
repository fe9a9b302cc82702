#include "contactbook.h"

#include "endpoint.h"

#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QSaveFile>
#include <QUrl>

#include <algorithm>

namespace {

constexpr int MaxNameLength = 64;

bool isValidHostName(const QString& host)
{
    if (host.isEmpty() || host.size() > 253)
        return false;
    QHostAddress literal;
    if (literal.setAddress(host))
        return true;
    // A DNS name: letters, digits, '-', '.', no empty labels; IDN is converted to ACE first.
    const QString ace = QString::fromLatin1(QUrl::toAce(host));
    if (ace.isEmpty())
        return false;
    const QStringList labels = ace.split(u'.');
    for (const QString& label : labels) {
        if (label.isEmpty() || label.size() > 63 || label.startsWith(u'-') || label.endsWith(u'-'))
            return false;
        for (QChar c : label)
            if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != u'-')
                return false;
    }
    return true;
}

// Only digits and dots is meant as an IPv4 address (`999.1.1.1`, `10.1.2`); as a host name it could never resolve
// (a top-level domain is never all digits), so it is refused rather than looked up forever.
bool isBrokenDottedQuad(const QString& host)
{
    if (host.isEmpty() || !std::all_of(host.cbegin(), host.cend(), [](QChar c) { return c.isDigit() || c == u'.'; }))
        return false;
    const QStringList parts = host.split(u'.');
    return parts.size() != 4 || !std::all_of(parts.cbegin(), parts.cend(), [](const QString& part) {
               bool ok = false;
               return part.size() <= 3 && part.toUInt(&ok) <= 255 && ok;
           });
}

} // namespace

QString protocolName(Protocol protocol)
{
    return protocol == Protocol::PlainText ? QStringLiteral("plain") : QStringLiteral("ipmsg");
}

ContactBook::ContactBook(QObject* parent)
    : QAbstractTableModel(parent)
{
}

std::optional<QList<Contact>> ContactBook::parse(const QByteArray& text, QString* error)
{
    QList<Contact> contacts;
    const auto fail = [&](int line, const QString& why) -> std::optional<QList<Contact>> {
        if (error)
            *error = tr("line %1: %2").arg(line).arg(why);
        return std::nullopt;
    };
    if (!textcodec::isValidUtf8(text))
        return fail(1, tr("the file is not UTF-8 text"));
    const QStringList lines = QString::fromUtf8(text).split(u'\n');
    Contact* current = nullptr;
    int currentLine = 0;
    const auto finish = [&]() -> QString {
        if (!current)
            return {};
        if (current->host.isEmpty())
            return tr("contact \"%1\" has no host").arg(current->name);
        return {};
    };
    for (int i = 0; i < lines.size(); ++i) {
        const int lineNo = i + 1;
        QString line = lines[i];
        if (line.startsWith(u'\uFEFF'))
            line.remove(0, 1);
        const qsizetype hash = line.indexOf(u'#');
        if (hash >= 0 && !line.trimmed().startsWith(u'['))
            line.truncate(hash);
        line = line.trimmed();
        if (line.isEmpty())
            continue;
        if (line.startsWith(u'[')) {
            if (!line.endsWith(u']'))
                return fail(lineNo, tr("a section header must look like [Name]"));
            if (const QString why = finish(); !why.isEmpty())
                return fail(currentLine, why);
            Contact c;
            c.name = normalizedName(line.mid(1, line.size() - 2));
            if (c.name.isEmpty())
                return fail(lineNo, tr("the contact name is empty"));
            for (const Contact& other : std::as_const(contacts))
                if (other.name.compare(c.name, Qt::CaseInsensitive) == 0)
                    return fail(lineNo, tr("the name \"%1\" is used twice").arg(c.name));
            contacts.append(c);
            current = &contacts.last();
            currentLine = lineNo;
            continue;
        }
        const qsizetype eq = line.indexOf(u'=');
        if (eq < 0)
            return fail(lineNo, tr("expected key = value, got \"%1\"").arg(line.left(40)));
        if (!current)
            return fail(lineNo, tr("\"%1\" comes before any [Name] section").arg(line.left(40)));
        const QString key = line.left(eq).trimmed().toLower();
        const QString value = line.mid(eq + 1).trimmed();
        if (key == u"host") {
            current->host = value;
        } else if (key == u"port") {
            const auto port = parsePort(value);
            if (!port)
                return fail(lineNo, tr("port must be a number from 1 to 65535, got \"%1\"").arg(value));
            current->port = *port;
        } else if (key == u"protocol") {
            if (value.compare(u"ipmsg", Qt::CaseInsensitive) == 0)
                current->protocol = Protocol::IpMsg;
            else if (value.compare(u"plain", Qt::CaseInsensitive) == 0)
                current->protocol = Protocol::PlainText;
            else
                return fail(lineNo, tr("protocol must be ipmsg or plain, got \"%1\"").arg(value));
        } else if (key == u"encoding") {
            const auto encoding = textcodec::encodingFromName(value);
            if (!encoding)
                return fail(lineNo, tr("encoding must be auto, utf-8, gbk or cp932, got \"%1\"").arg(value));
            current->encoding = *encoding;
        } else {
            return fail(lineNo, tr("unknown key \"%1\"").arg(key.left(40)));
        }
    }
    if (const QString why = finish(); !why.isEmpty())
        return fail(currentLine, why);
    for (const Contact& c : std::as_const(contacts)) {
        ContactBook probe;
        if (const QString why = probe.validate(c); !why.isEmpty())
            return fail(1, tr("contact \"%1\": %2").arg(c.name, why));
    }
    return contacts;
}

QByteArray ContactBook::serialize(const QList<Contact>& contacts)
{
    QByteArray out =
        "# Pigeon contacts. One [Name] section per contact; keys: host, port, protocol (ipmsg or plain),\n"
        "# encoding (auto, utf-8, gbk or cp932). Edit while Pigeon is not running, or use Contacts > Edit.\n";
    for (const Contact& c : contacts) {
        out += "\n[" + c.name.toUtf8() + "]\n";
        out += "host = " + c.host.toUtf8() + '\n';
        out += "port = " + QByteArray::number(c.port) + '\n';
        out += "protocol = " + protocolName(c.protocol).toUtf8() + '\n';
        out += "encoding = " + textcodec::encodingName(c.encoding).toUtf8() + '\n';
    }
    return out;
}

bool ContactBook::load(const QString& path)
{
    beginResetModel();
    m_path = path;
    m_contacts.clear();
    m_error.clear();
    m_readOnly = false;
    QFile file(path);
    bool ok = true;
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly)) {
            m_error = tr("cannot read the contacts file %1: %2").arg(path, file.errorString());
            ok = false;
        } else if (file.size() > 16 * 1024 * 1024) {
            m_error = tr("the contacts file %1 is larger than 16 MiB; is it the right file?").arg(path);
            ok = false;
        } else {
            QString why;
            if (auto parsed = parse(file.readAll(), &why)) {
                m_contacts = std::move(*parsed);
            } else {
                m_error = tr("the contacts file %1 is broken, %2. It was left as it is; fix it and restart "
                             "Pigeon, until then contacts cannot be changed")
                              .arg(path, why);
                ok = false;
            }
        }
    }
    m_readOnly = !ok;
    endResetModel();
    return ok;
}

bool ContactBook::save()
{
    if (m_readOnly || m_path.isEmpty())
        return false;
    const QByteArray data = serialize(m_contacts);
    QSaveFile file(m_path);
    // On a full disk write() comes back short or flush() fails, and Qt 6.4's QSaveFile would still commit the cut-short
    // file over the good one and report success: check both, and keep the old file when either fails.
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.flush() || !file.commit()) {
        QString why = file.errorString();
        if (file.error() == QFileDevice::NoError)
            why = tr("only part of it could be written (is the disk full?)");
        file.cancelWriting();
        m_error = tr("cannot write the contacts file %1: %2; it was left as it was").arg(m_path, why);
        return false;
    }
    return true;
}

QString ContactBook::validate(const Contact& c, const QString& replacing) const
{
    const QString name = normalizedName(c.name);
    if (name.isEmpty())
        return tr("The name is empty.");
    if (name.size() > MaxNameLength)
        return tr("The name is longer than %1 characters.").arg(MaxNameLength);
    if (name.contains(u':') || name.contains(u'[') || name.contains(u']'))
        return tr("The name may not contain ':', '[' or ']'.");
    for (const Contact& other : m_contacts) {
        if (!replacing.isEmpty() && other.name == replacing)
            continue;
        if (other.name.compare(name, Qt::CaseInsensitive) == 0)
            return tr("There is already a contact named \"%1\".").arg(other.name);
    }
    if (c.host.trimmed().isEmpty())
        return tr("The host is empty.");
    if (!isValidHostName(c.host.trimmed()))
        return tr("\"%1\" is not an IP address or a host name.").arg(c.host.trimmed());
    if (isBrokenDottedQuad(c.host.trimmed()))
        return tr("%1 is not an IPv4 address: it needs four numbers from 0 to 255, such as 192.168.1.20.")
            .arg(c.host.trimmed());
    if (c.port == 0)
        return tr("The port must be from 1 to 65535.");
    // One contact per address:port: datagrams from there could name only one of them. Addresses are compared as
    // addresses ("::ffff:127.0.0.1" is 127.0.0.1, but ::1 is not: a socket may be bound to either), host names without
    // case; a name is not looked up here.
    QHostAddress address;
    const bool literal = address.setAddress(c.host.trimmed());
    for (const Contact& other : m_contacts) {
        if ((!replacing.isEmpty() && other.name == replacing) || other.port != c.port)
            continue;
        QHostAddress otherAddress;
        const bool same = literal && otherAddress.setAddress(other.host)
                              ? address.isEqual(otherAddress, QHostAddress::ConvertV4MappedToIPv4)
                              : other.host.compare(c.host.trimmed(), Qt::CaseInsensitive) == 0;
        if (same)
            return tr("The contact \"%1\" has this address and port already.").arg(other.name);
    }
    return {};
}

QString ContactBook::add(Contact contact)
{
    if (m_readOnly)
        return m_error;
    contact.name = normalizedName(contact.name);
    contact.host = contact.host.trimmed();
    if (const QString why = validate(contact); !why.isEmpty())
        return why;
    beginInsertRows({}, int(m_contacts.size()), int(m_contacts.size()));
    m_contacts.append(contact);
    endInsertRows();
    if (!save()) {
        beginRemoveRows({}, int(m_contacts.size()) - 1, int(m_contacts.size()) - 1);
        m_contacts.removeLast();
        endRemoveRows();
        return m_error;
    }
    Q_EMIT contactAdded(contact);
    return {};
}

QString ContactBook::update(const QString& name, Contact contact)
{
    if (m_readOnly)
        return m_error;
    const int row = indexOf(name);
    if (row < 0)
        return tr("There is no contact named \"%1\".").arg(name);
    contact.name = normalizedName(contact.name);
    contact.host = contact.host.trimmed();
    if (const QString why = validate(contact, m_contacts[row].name); !why.isEmpty())
        return why;
    const Contact old = m_contacts[row];
    m_contacts[row] = contact;
    if (!save()) {
        m_contacts[row] = old;
        return m_error;
    }
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    Q_EMIT contactChanged(old.name, contact);
    return {};
}

QString ContactBook::remove(const QString& name)
{
    if (m_readOnly)
        return m_error;
    const int row = indexOf(name);
    if (row < 0)
        return tr("There is no contact named \"%1\".").arg(name);
    const Contact old = m_contacts[row];
    beginRemoveRows({}, row, row);
    m_contacts.removeAt(row);
    endRemoveRows();
    if (!save()) {
        beginInsertRows({}, row, row);
        m_contacts.insert(row, old);
        endInsertRows();
        return m_error;
    }
    Q_EMIT contactRemoved(old.name);
    return {};
}

std::optional<Contact> ContactBook::find(const QString& name) const
{
    const int row = indexOf(name);
    if (row < 0)
        return std::nullopt;
    return m_contacts[row];
}

int ContactBook::indexOf(const QString& name) const
{
    const QString wanted = normalizedName(name);
    for (int i = 0; i < m_contacts.size(); ++i)
        if (m_contacts[i].name.compare(wanted, Qt::CaseInsensitive) == 0)
            return i;
    return -1;
}

int ContactBook::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_contacts.size());
}

int ContactBook::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ContactBook::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Contact& c = m_contacts[index.row()];
    if (role == ContactNameRole)
        return c.name;
    if (role == EndpointRole)
        return QString(c.host + u':' + QString::number(c.port));
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    switch (index.column()) {
    case NameColumn: return c.name;
    case HostColumn: return c.host;
    case PortColumn: return c.port;
    case ProtocolColumn: return c.protocol == Protocol::PlainText ? tr("Plain text") : tr("IP Messenger");
    case EncodingColumn: return encodingLabel(c.encoding);
    default: return {};
    }
}

QString ContactBook::encodingLabel(TextEncoding encoding)
{
    switch (encoding) {
    case TextEncoding::Utf8: return QStringLiteral("UTF-8");
    case TextEncoding::Gbk: return QStringLiteral("GBK");
    case TextEncoding::Cp932: return QStringLiteral("Shift-JIS (CP932)");
    case TextEncoding::Auto: break;
    }
    return tr("Automatic");
}

QVariant ContactBook::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Name");
    case HostColumn: return tr("Host");
    case PortColumn: return tr("Port");
    case ProtocolColumn: return tr("Protocol");
    case EncodingColumn: return tr("Encoding");
    default: return {};
    }
}
