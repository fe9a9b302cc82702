#include "console.h"

#include "conversationmodel.h"
#include "fingerprint.h"
#include "securitynotices.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <unistd.h>

namespace {

constexpr const char* Dim = MessageLine::Dim;
constexpr const char* Bold = MessageLine::Bold;
constexpr const char* Red = MessageLine::Red;
constexpr const char* Green = MessageLine::Green;
constexpr const char* Yellow = MessageLine::Yellow;
constexpr int QuitWaitMs = 10'000;

bool isAnyAddress(const QHostAddress& address)
{
    return address == QHostAddress::Any || address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6;
}

} // namespace

Console::Console(Session& session, bool color, QObject* parent)
    : QObject(parent)
    , m_session(session)
    , m_messenger(*session.messenger())
    , m_line(color)
    , m_interactive(isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
    , m_out(stdout)
{
    m_out.setEncoding(QStringConverter::Utf8);
    connect(&m_messenger, &Messenger::messageAdded, this, [this](const Message& m) {
        if (m.direction == Direction::Outgoing) {
            m_mine.insert(m.id, m.peer);
            if (m.state == MessageState::Queued)
                print(paint(tr("  (queued: %1 is offline; it goes out when they are back)").arg(m.peer), Yellow));
            return;
        }
        m_partner = m.peer;
        if (m.sealed) {
            // IP Messenger's sealed message: its sender learns (READMSG) when it is opened, so it stays closed until
            // then.
            m_sealed.append(m);
            print(paint(u'[' + m.time.toLocalTime().toString(QStringLiteral("HH:mm:ss")) + u']', Dim) + u' ' +
                  m_line.who(m.peer, m.remote, m_messenger.nickOf(m.peer)) + u": " +
                  paint(tr("(sealed message; /open to read it)"), Yellow));
            return;
        }
        print(m_line.format(m, m_messenger.nickOf(m.peer)));
    });
    connect(&m_messenger, &Messenger::deliveryChanged, this, [this](qint64 id, MessageState state) {
        const QString peer = m_mine.value(id);
        if (peer.isEmpty())
            return;
        switch (state) {
        case MessageState::Delivered: print(paint(tr("  (delivered to %1)").arg(peer), Green)); break;
        case MessageState::Read: print(paint(tr("  (read by %1)").arg(peer), Green)); break;
        case MessageState::Sent:
            print(paint(tr("  (sent to %1; plain-text peers send no receipts)").arg(peer), Dim));
            break;
        case MessageState::Failed: print(paint(tr("  (could not deliver to %1: no answer)").arg(peer), Red)); break;
        case MessageState::Queued:
            print(paint(tr("  (queued: %1 is offline; it goes out when they are back)").arg(peer), Yellow));
            return;
        default: return;
        }
        m_mine.remove(id);
        if (m_quitting && m_messenger.pendingCount() == 0)
            quit();
    });
    connect(&m_messenger, &Messenger::presenceChanged, this, [this](const QString& peer, Presence presence) {
        // Strangers (for example IP Messenger clients answering a --broadcast entry) are named with the nickname
        // they claim, marked with '?', and their address, which is what /to takes.
        const bool contact = m_session.contacts().indexOf(peer) >= 0;
        const QString nick = m_messenger.nickOf(peer);
        const QString name =
            contact || nick.isEmpty() ? peer : textcodec::printable(nick) + QStringLiteral("? (") + peer + u')';
        print(paint(presence == Presence::Online ? tr("* %1 is online").arg(name) : tr("* %1 went offline").arg(name),
                    Dim));
    });
    connect(&m_messenger, &Messenger::problem, this, [this](const QString& text) { print(paint(text, Red)); });
    connect(&m_messenger, &Messenger::keyChanged, this, [this](const QString& peer, bool wasVerified) {
        print(
            paint(SecurityNotices::keyChanged(peer, wasVerified, u"/verify "_qs + peer + u", /trust "_qs + peer), Red));
    });
    connect(&m_messenger, &Messenger::forgeriesRefused, this, [this](const QString& peer, quint64 total) {
        print(paint(SecurityNotices::forgeriesRefused(peer, total), Red));
    });
}

QString Console::partnerLine() const
{
    const SecurePeers* secure = m_messenger.securePeers();
    const bool changed = secure && secure->state(m_partner) == SecurePeers::State::KeyChanged;
    return tr("Now writing to %1 (%2).")
        .arg(m_partner, SecurityNotices::state(m_messenger.isEncrypted(m_partner), changed));
}

void Console::trustCommand(const QString& name)
{
    if (m_messenger.trust(name))
        print(paint(tr("Accepted the new key of %1; what waited for it goes out now. Compare fingerprints (/verify %1) "
                       "to be sure it is them.")
                        .arg(name),
                    Green));
    else
        refuse(tr("No key change of \"%1\" waits to be trusted.").arg(name));
}

void Console::verifyCommand(QString name)
{
    PinnedKeys& keys = m_session.pinnedKeys();
    // "/verify NAME yes": the fingerprints were compared and match.
    const bool mark = !keys.find(name) && name.endsWith(u" yes"_qs);
    if (mark)
        name.chop(4);
    const auto entry = keys.find(name);
    if (!entry) {
        refuse(tr("No key is known for \"%1\" yet: it is not a Pigeon that encrypts, or it has not been heard.")
                   .arg(name));
        return;
    }
    if (mark) {
        if (entry->pending) {
            refuse(tr("The key of %1 changed: accept it first (/trust %1), then compare again.").arg(name));
            return;
        }
        m_messenger.setVerified(name, true);
        print(paint(tr("%1 is marked as verified.").arg(name), Green));
        return;
    }
    print(tr("Fingerprint of %1 (%2):\n  %3")
              .arg(name, entry->verified ? tr("verified") : tr("not verified"), crypto::fingerprint(entry->key)));
    if (entry->pending)
        print(paint(tr("Its new key, not trusted yet:\n  %1").arg(crypto::fingerprint(*entry->pending)), Red));
    print(tr("Your own:\n  %1\nCompare them with %2 aloud or side by side; if they match, type /verify %2 yes.")
              .arg(m_session.identity().fingerprint(), name));
}

void Console::start()
{
    const Endpoint local = m_session.transport().localEndpoint();
    print(paint(
        tr("Pigeon listening on UDP %1 as %2. Type a line to reply to whoever wrote last; /help for commands.")
            .arg(isAnyAddress(local.address) ? QStringLiteral("*:") + QString::number(local.port) : local.toString(),
                 m_messenger.identity().nick),
        Dim));
    for (const QString& warning : m_session.warnings())
        print(paint(warning, Red));
    m_stdin = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
    connect(m_stdin, &QSocketNotifier::activated, this, &Console::readInput);
    prompt();
}

void Console::readInput()
{
    char chunk[4096];
    const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
    if (n <= 0) {
        // End of input (Ctrl+D, or the pipe closed): leave once what was typed is on its way.
        m_stdin->setEnabled(false);
        if (!m_buffer.isEmpty())
            handleLine(QString::fromUtf8(std::exchange(m_buffer, {})));
        if (!m_quitting)
            command(QStringLiteral("/quit"));
        return;
    }
    m_buffer.append(chunk, n);
    qsizetype newline;
    while ((newline = m_buffer.indexOf('\n')) >= 0) {
        QByteArray line = m_buffer.left(newline);
        m_buffer.remove(0, newline + 1);
        if (line.endsWith('\r'))
            line.chop(1);
        handleLine(QString::fromUtf8(line));
        if (m_quitting)
            return;
    }
}

void Console::handleLine(const QString& line)
{
    if (line.startsWith(u'/')) {
        command(line);
    } else if (line.trimmed().isEmpty()) {
        // An empty line sends nothing.
    } else if (m_partner.isEmpty()) {
        refuse(tr("No one to send to yet: wait for a message, or pick someone with /to NAME."));
    } else {
        QString error;
        if (!m_messenger.send(m_partner, line, &error))
            refuse(error);
    }
    prompt();
}

void Console::command(const QString& line)
{
    const QStringList words = line.split(u' ', Qt::SkipEmptyParts);
    const QString verb = words.value(0).toLower();
    if (verb == u"/quit" || verb == u"/exit") {
        m_quitting = true;
        if (m_stdin)
            m_stdin->setEnabled(false);
        if (m_messenger.pendingCount() == 0) {
            quit();
            return;
        }
        print(paint(tr("Waiting for %n message(s) to be delivered...", nullptr, m_messenger.pendingCount()), Dim));
        QTimer::singleShot(QuitWaitMs, this, &Console::quit);
    } else if (verb == u"/open") {
        if (m_sealed.isEmpty()) {
            refuse(tr("No sealed message is waiting."));
            return;
        }
        const Message m = m_sealed.takeFirst();
        print(m_line.format(m, m_messenger.nickOf(m.peer)));
        m_messenger.markRead(m.peer); // sends the read notice the sender asked for
    } else if (verb == u"/to") {
        const QString name = line.section(u' ', 1).trimmed();
        if (const auto contact = m_session.contacts().find(name)) {
            m_partner = contact->name;
        } else if (const auto ep = Endpoint::parse(name)) {
            m_partner = ep->toString();
        } else {
            refuse(tr("No contact named \"%1\"; /contacts lists them, or give ADDRESS:PORT.").arg(name));
            return;
        }
        print(paint(partnerLine(), Dim));
    } else if (verb == u"/contacts") {
        const QList<Contact>& contacts = m_session.contacts().contacts();
        if (contacts.isEmpty())
            print(tr("No contacts yet. Add one with /add NAME HOST[:PORT] [plain] [auto|utf-8|gbk|cp932]."));
        for (const Contact& c : contacts) {
            const Presence p = m_messenger.presence(c.name);
            const QString state = c.protocol == Protocol::PlainText ? tr("plain text")
                                  : p == Presence::Online           ? paint(tr("online"), Green)
                                  : p == Presence::Offline          ? paint(tr("offline"), Red)
                                                                    : tr("unknown");
            print(QStringLiteral("  %1  %2:%3  %4%5")
                      .arg(c.name, c.host)
                      .arg(c.port)
                      .arg(state, u' ' + textcodec::encodingName(c.encoding)));
        }
    } else if (verb == u"/add") {
        if (words.size() < 3) {
            refuse(tr("Usage: /add NAME HOST[:PORT] [plain] [auto|utf-8|gbk|cp932]"));
            return;
        }
        Contact c;
        c.name = words[1];
        QString host = words[2];
        const qsizetype colon = host.lastIndexOf(u':');
        if (colon > 0 && host.count(u':') == 1) {
            bool ok = false;
            const uint port = host.mid(colon + 1).toUInt(&ok);
            if (!ok || port < 1 || port > 65535) {
                refuse(tr("The port must be a number from 1 to 65535."));
                return;
            }
            c.port = quint16(port);
            host.truncate(colon);
        } else if (const auto ep = Endpoint::parse(host); ep && host.startsWith(u'[')) {
            c.port = ep->port;
            host = ep->address.toString();
        }
        c.host = host;
        for (const QString& option : words.mid(3)) {
            if (option.compare(u"plain", Qt::CaseInsensitive) == 0)
                c.protocol = Protocol::PlainText;
            else if (const auto encoding = textcodec::encodingFromName(option))
                c.encoding = *encoding;
            else {
                refuse(
                    tr("Unknown option \"%1\": use plain and/or an encoding (auto, utf-8, gbk, cp932).").arg(option));
                return;
            }
        }
        if (const QString why = m_session.contacts().add(c); !why.isEmpty())
            refuse(why);
        else
            print(paint(tr("Added %1.").arg(ContactBook::normalizedName(c.name)), Green));
    } else if (verb == u"/trust" || verb == u"/verify") {
        const QString name = line.section(u' ', 1).trimmed();
        if (name.isEmpty()) {
            refuse(tr("Usage: %1 NAME").arg(verb));
            return;
        }
        if (verb == u"/trust")
            trustCommand(name);
        else
            verifyCommand(name);
    } else if (verb == u"/help") {
        print(tr("  TEXT                 send to the current partner (whoever wrote last, or /to)\n"
                 "  /to NAME|ADDR:PORT   pick whom to write to\n"
                 "  /contacts            list contacts with presence\n"
                 "  /open                open the oldest sealed message (its sender is told)\n"
                 "  /add NAME HOST[:PORT] [plain] [auto|utf-8|gbk|cp932]   add a contact\n"
                 "  /verify NAME [yes]   show NAME's key fingerprint and yours; yes: they match\n"
                 "  /trust NAME          accept NAME's changed key\n"
                 "  /quit                leave (so does end of input)"));
    } else {
        refuse(tr("Unknown command %1; /help lists them.").arg(verb));
    }
}

void Console::quit()
{
    m_quitting = true;
    if (m_done)
        return;
    m_done = true;
    m_session.close();
    m_out.flush();
    Q_EMIT finished(m_refused ? RefusedInputExit : 0);
}

void Console::refuse(const QString& why)
{
    m_refused = true;
    print(paint(why, Red));
}

void Console::print(const QString& line)
{
    if (m_interactive)
        m_out << "\r\x1b[K";
    m_out << line << '\n';
    m_out.flush();
    if (m_interactive && !m_quitting)
        prompt();
}

void Console::prompt()
{
    if (!m_interactive || m_quitting)
        return;
    // A lock after the partner's name when the conversation is end-to-end encrypted.
    const QString lock = m_messenger.isEncrypted(m_partner) ? QStringLiteral(" \U0001F512") : QString();
    m_out << paint(m_partner.isEmpty() ? QStringLiteral("> ") : tr("to %1> ").arg(m_partner + lock), Bold);
    m_out.flush();
}

QString Console::paint(const QString& text, const char* sgr) const
{
    return m_line.paint(text, sgr);
}
