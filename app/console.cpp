#include "console.h"

#include "contactspec.h"
#include "conversationmodel.h"
#include "fingerprint.h"
#include "securitynotices.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSet>
#include <QTimer>

#include <unistd.h>

namespace {

constexpr const char* Dim = MessageLine::Dim;
constexpr const char* Bold = MessageLine::Bold;
constexpr const char* Red = MessageLine::Red;
constexpr const char* Green = MessageLine::Green;
constexpr const char* Yellow = MessageLine::Yellow;
constexpr int QuitWaitMs = 10'000;
// How many matches /search prints (the newest); `pigeon history --search` prints them all.
constexpr int SearchResults = 20;
// How many sealed messages kept from an earlier run /open numbers at once.
constexpr int MaxSealedListed = 1000;

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
{
    // Messages the terminal could not take in time are read back from the history (see ConsoleOutput).
    m_output = new ConsoleOutput(
        STDOUT_FILENO,
        [this](qint64 afterId, qint64 upToId, int limit) {
            QList<ConsoleOutput::Line> lines;
            for (const Message& m : m_session.history().incoming(afterId, upToId, limit))
                lines.append({m.id, decorated(shown(m))});
            return lines;
        },
        ConsoleOutput::DefaultLimit, this);
    connect(&m_messenger, &Messenger::messageAdded, this, [this](const Message& m) {
        if (m.direction == Direction::Outgoing && m.isAutoReply) {
            print(m_line.format(m, m_messenger.nickOf(m.peer)));
            return;
        }
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
            m_sealed.insert(++m_sealedCount, m);
        }
        m_output->message(m.id, decorated(shown(m)));
    });
    connect(&m_messenger, &Messenger::deliveryChanged, this, [this](qint64 id, MessageState state) {
        const QString peer = m_mine.value(id);
        if (peer.isEmpty())
            return;
        if (peer.startsWith(u'#') && m_messenger.groups().find(peer)) {
            printGroupDelivery(id, state);
            return;
        }
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
        const QString name = presenceName(peer);
        print(paint(presence == Presence::Online ? tr("* %1 is online").arg(name) : tr("* %1 went offline").arg(name),
                    Dim));
    });
    connect(&m_messenger, &Messenger::peerStatusChanged, this, [this](const QString& peer, const PeerStatus& status) {
        print(paint(statusLine(presenceName(peer), status), Dim));
    });
    connect(&m_messenger, &Messenger::problem, this, [this](const QString& text) { print(paint(text, Red)); });
    m_files = new ConsoleTransfers(
        session.transfers(), [this](const QString& line, const char* sgr) { print(sgr ? paint(line, sgr) : line); },
        [this](const QString& why) { refuse(why); }, this);
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
    // A status chosen before a restart is still in force (and may answer people automatically): say so.
    if (m_messenger.status().status != Status::Online)
        printOwnStatus();
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
        // The oldest sealed message, or the one numbered N: only its sender is told, about it alone.
        const QString arg = line.section(u' ', 1).trimmed();
        bool numbered = false;
        const int n = arg.toInt(&numbered);
        if (m_sealed.isEmpty() || (numbered && !m_sealed.contains(n)))
            findSealed();
        if (m_sealed.isEmpty() || (!arg.isEmpty() && (!numbered || !m_sealed.contains(n)))) {
            refuse(arg.isEmpty() ? tr("No sealed message is waiting.")
                                 : tr("No sealed message %1 is waiting.").arg(arg));
            return;
        }
        Message m = m_sealed.take(arg.isEmpty() ? m_sealed.firstKey() : n);
        m.sealed = false; // opened now: shown with its text
        print(m_line.format(m, m_messenger.nickOf(m.peer)));
        m_messenger.openSealed(m.id); // sends the read notice the sender asked for
    } else if (verb == u"/to") {
        const QString name = line.section(u' ', 1).trimmed();
        if (name.isEmpty()) {
            refuse(tr("Usage: /to NAME, /to ADDRESS:PORT or /to GROUP"));
            return;
        }
        const GroupBook::Group* group = m_messenger.groups().find(name);
        if (group && (name.startsWith(u'#') || !m_session.contacts().find(name))) {
            if (!group->isActive()) {
                refuse(tr("You left %1: nothing can be sent to it any more.").arg(group->key()));
                return;
            }
            m_partner = group->key();
        } else if (const auto contact = m_session.contacts().find(name)) {
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
            // An IPv6 address in brackets, as /add and /to take it: "::1:2425" would read as an address.
            print(QStringLiteral("  %1  %2:%3  %4%5%6")
                      .arg(c.name, c.host.contains(u':') ? u'[' + c.host + u']' : c.host)
                      .arg(c.port)
                      .arg(state, statusWords(m_messenger.peerStatus(c.name)),
                           u' ' + textcodec::encodingName(c.encoding)));
        }
    } else if (verb == u"/add") {
        if (words.size() < 3) {
            refuse(tr("Usage: /add %1").arg(ContactSpec::usage()));
            return;
        }
        QString error;
        const auto c = ContactSpec::parse(words.mid(1), &error);
        if (!c) {
            refuse(error);
            return;
        }
        // This Pigeon's own socket is no peer (OwnEndpoints): only the engine knows it, ContactBook does not.
        if (QHostAddress address;
            address.setAddress(c->host.trimmed()) && m_messenger.isOwnEndpoint(Endpoint{address, c->port})) {
            refuse(tr("%1 is this Pigeon itself: it cannot be a contact.").arg(Endpoint{address, c->port}.toString()));
            return;
        }
        if (const QString why = m_session.contacts().add(*c); !why.isEmpty())
            refuse(why);
        else
            print(paint(tr("Added %1.").arg(ContactBook::normalizedName(c->name)), Green));
    } else if (verb == u"/away" || verb == u"/busy" || verb == u"/back") {
        setStatus(verb, line.section(u' ', 1).trimmed());
    } else if (verb == u"/search") {
        search(line.section(u' ', 1).trimmed());
    } else if (verb == u"/retry") {
        retryFailed();
    } else if (verb == u"/group") {
        groupCommand(words);
    } else if (verb == u"/groups") {
        listGroups();
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
                 "  /to NAME|ADDR:PORT|GROUP   pick whom to write to (a group: its name or #NAME)\n"
                 "  /contacts            list contacts with presence\n"
                 "  /open [N]            open the oldest sealed message, or number N (its sender is told)\n"
                 "  /add NAME HOST[:PORT] [plain] [auto|utf-8|gbk|cp932]   add a contact\n"
                 "  /away [TEXT]         away; whoever writes gets TEXT back once (an automatic answer)\n"
                 "  /busy [TEXT]         busy, with TEXT shown to others; no automatic answer\n"
                 "  /back                online again\n"
                 "  /search TEXT         the newest messages that contain TEXT\n"
                 "  /retry               send again what failed to the current partner (queued messages wait for it)\n"
                 "  /group NAME MEMBER...   make a group (members: contact names or ADDR:PORT)\n"
                 "  /group add NAME MEMBER  add a member to a group\n"
                 "  /group leave NAME    leave a group\n"
                 "  /groups              list groups and their members\n"
                 "  /verify NAME [yes]   show NAME's key fingerprint and yours; yes: they match\n"
                 "  /trust NAME          accept NAME's changed key\n"
                 "  /quit                leave (so does end of input)\n") +
              ConsoleTransfers::help());
    } else if (verb == u"/send" && m_partner.startsWith(u'#') && m_messenger.groups().find(m_partner)) {
        refuse(tr("Files go to one person, not to a group: /to NAME picks a member of %1.").arg(m_partner));
    } else if (m_files->command(verb, line, m_partner)) {
        // A file command.
    } else {
        refuse(tr("Unknown command %1; /help lists them.").arg(verb));
    }
}

void Console::findSealed()
{
    QSet<qint64> known;
    for (const Message& m : std::as_const(m_sealed))
        known.insert(m.id);
    for (const Message& m : m_session.history().sealedWaiting(MaxSealedListed))
        if (!known.contains(m.id))
            m_sealed.insert(++m_sealedCount, m);
}

QString Console::presenceName(const QString& peer) const
{
    // Strangers (for example IP Messenger clients answering a --broadcast entry) are named with the nickname they
    // claim, marked with '?', and their address, which is what /to takes.
    const bool contact = m_session.contacts().indexOf(peer) >= 0;
    const QString nick = m_messenger.nickOf(peer);
    return contact || nick.isEmpty() ? peer : textcodec::printable(nick) + QStringLiteral("? (") + peer + u')';
}

QString Console::statusWords(const PeerStatus& status) const
{
    QString words;
    if (status.status == Status::Away)
        words = u' ' + paint(tr("away"), Yellow);
    else if (status.status == Status::Busy)
        words = u' ' + paint(tr("busy"), Red);
    if (!status.text.isEmpty())
        words += QStringLiteral(" \u201c") + textcodec::printable(status.text) + QStringLiteral("\u201d");
    return words;
}

QString Console::statusLine(const QString& peer, const PeerStatus& status) const
{
    const QString text = textcodec::printable(status.text);
    switch (status.status) {
    case Status::Away: return text.isEmpty() ? tr("* %1 is away").arg(peer) : tr("* %1 is away: %2").arg(peer, text);
    case Status::Busy: return text.isEmpty() ? tr("* %1 is busy").arg(peer) : tr("* %1 is busy: %2").arg(peer, text);
    case Status::Online: break;
    }
    return tr("* %1 is back").arg(peer);
}

void Console::setStatus(const QString& verb, const QString& text)
{
    const Status status = verb == u"/away" ? Status::Away : verb == u"/busy" ? Status::Busy : Status::Online;
    if (status == Status::Online && !text.isEmpty()) {
        refuse(tr("/back takes no text."));
        return;
    }
    m_messenger.setStatus(status, text);
    printOwnStatus();
}

void Console::printOwnStatus()
{
    const PeerStatus& now = m_messenger.status();
    const QString shown = textcodec::printable(now.text);
    switch (now.status) {
    case Status::Away:
        print(paint(shown.isEmpty() ? tr("You are away. Without a text nobody gets an automatic answer.")
                                    : tr("You are away: whoever writes gets \"%1\" back, once.").arg(shown),
                    Yellow));
        break;
    case Status::Busy:
        print(paint(shown.isEmpty() ? tr("You are busy.") : tr("You are busy: %1").arg(shown), Yellow));
        break;
    case Status::Online: print(paint(tr("You are online."), Green)); break;
    }
}

void Console::search(const QString& text)
{
    if (text.isEmpty()) {
        refuse(tr("Usage: /search TEXT"));
        return;
    }
    History& history = m_session.history();
    const SearchPage page = history.search(text, {}, 0, SearchResults);
    if (page.hits.isEmpty() && !history.error().isEmpty()) {
        refuse(history.error());
        return;
    }
    const QString shown = textcodec::printable(text);
    if (page.hits.isEmpty()) {
        print(paint(tr("No message contains \"%1\".").arg(shown), Dim));
        return;
    }
    print(paint(tr("Messages with \"%1\", newest first:").arg(shown), Dim));
    const QString timeFormat = QStringLiteral("yyyy-MM-dd HH:mm");
    for (const SearchHit& hit : page.hits) {
        const QString inGroup = groupLine(hit.message, timeFormat, hit.spans);
        print(inGroup.isEmpty()
                  ? m_line.format(hit.message, m_messenger.nickOf(hit.message.peer), timeFormat, hit.spans)
                  : inGroup);
    }
    if (page.next != 0)
        print(paint(tr("  (the newest %1; `pigeon history --search` prints them all)").arg(SearchResults), Dim));
}

void Console::retryFailed()
{
    if (m_partner.isEmpty()) {
        refuse(tr("Nobody to send to yet: /to NAME picks someone."));
        return;
    }
    // Oldest first, as they were written: each one retried lets the next failure hold the queue, until none is left.
    int retried = 0;
    QString error;
    for (qint64 id = m_session.history().failureHoldingQueue(m_partner); id != 0 && retried < MaxRetried;
         id = m_session.history().failureHoldingQueue(m_partner)) {
        if (!m_messenger.retry(id, &error)) {
            refuse(error);
            return;
        }
        m_mine.insert(id, m_partner);
        ++retried;
    }
    if (retried == 0)
        print(tr("Nothing to %1 failed since the last message that went out.").arg(m_partner));
    else
        print(paint(tr("Sending %n failed message(s) to %1 again.", nullptr, retried).arg(m_partner), Dim));
}

void Console::quit()
{
    m_quitting = true;
    if (m_done)
        return;
    // What the terminal has not taken yet is printed first; the engine goes on acknowledging meanwhile.
    if (!m_output->isIdle() && !m_output->isBroken()) {
        if (!m_waitingForOutput)
            connect(m_output, &ConsoleOutput::idle, this, &Console::quit);
        m_waitingForOutput = true;
        return;
    }
    m_done = true;
    m_session.close();
    Q_EMIT finished(m_refused ? RefusedInputExit : 0);
}

void Console::refuse(const QString& why)
{
    m_refused = true;
    print(paint(why, Red));
}

QString Console::shown(const Message& m) const
{
    int number = 0;
    for (auto it = m_sealed.cbegin(); it != m_sealed.cend() && number == 0; ++it)
        number = it->id == m.id ? it.key() : 0;
    if (number == 0) {
        const QString inGroup = groupLine(m, QStringLiteral("HH:mm:ss"));
        return inGroup.isEmpty() ? m_line.format(m, m_messenger.nickOf(m.peer)) : inGroup;
    }
    return paint(u'[' + m.time.toLocalTime().toString(QStringLiteral("HH:mm:ss")) + u']', Dim) + u' ' +
           m_line.who(m.peer, m.remote, m_messenger.nickOf(m.peer)) + u": " +
           paint(tr("(sealed message %1; /open %1 to read it)").arg(number), Yellow);
}

void Console::print(const QString& line)
{
    m_output->note(decorated(line));
}

QByteArray Console::decorated(const QString& line) const
{
    QString out;
    if (m_interactive)
        out += QStringLiteral("\r\x1b[K");
    out += line + u'\n';
    if (m_interactive && !m_quitting)
        out += promptText();
    return out.toUtf8();
}

QString Console::promptText() const
{
    // A lock after the partner's name when the conversation is end-to-end encrypted.
    const QString lock = m_messenger.isEncrypted(m_partner) ? QStringLiteral(" \U0001F512") : QString();
    return paint(m_partner.isEmpty() ? QStringLiteral("> ") : tr("to %1> ").arg(m_partner + lock), Bold);
}

void Console::prompt()
{
    if (!m_interactive || m_quitting)
        return;
    m_output->note(promptText().toUtf8());
}

QString Console::paint(const QString& text, const char* sgr) const
{
    return m_line.paint(text, sgr);
}
