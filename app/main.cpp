// pigeon: the desktop messenger, its console mode (--console) and contacts scripting (pigeon contacts ...).

#include "console.h"
#include "contactspec.h"
#include "groupbook.h"
#include "keystore.h"
#include "mainwindow.h"
#include "messageline.h"
#include "session.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QFileInfo>
#include <QHostInfo>
#include <QTextStream>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <unistd.h>

namespace {

enum ExitCode { Ok = 0, UsageError = 1, StartError = 2 };

QTextStream& err()
{
    static QTextStream stream(stderr);
    return stream;
}

struct Parsed {
    Session::Options options;
    GuiOptions gui;
    QStringList positional;
    bool console = false;
    int last = 0;                  // pigeon history --last N; 0: every message
    std::optional<QString> search; // pigeon history --search TEXT
    bool fingerprint = false;
};

// Reads the options shared by every mode; on a bad value prints why and returns nullopt.
std::optional<Parsed> parseArguments(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Pigeon: chat across a LAN without any server, one UDP datagram per message.\n"
                       "  pigeon                      start the desktop messenger\n"
                       "  pigeon --console            chat from a terminal\n"
                       "  pigeon contacts list|add NAME HOST[:PORT] [plain] [ENCODING]|remove NAME\n"
                       "  pigeon history [PEER] [--last N]   print a conversation (all of them without PEER)\n"
                       "  pigeon history --search TEXT [PEER] [--last N]   messages that contain TEXT, newest first\n"
                       "  pigeon doctor               check the history database for damage"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption console(QStringLiteral("console"),
                                     QStringLiteral("Chat in the terminal instead of a window."));
    const QCommandLineOption port({QStringLiteral("p"), QStringLiteral("port")},
                                  QStringLiteral("UDP port to listen on (default 2425, the IP Messenger port)."),
                                  QStringLiteral("N"));
    const QCommandLineOption bind({QStringLiteral("b"), QStringLiteral("bind")},
                                  QStringLiteral("Address to listen on (default: all)."), QStringLiteral("ADDRESS"));
    const QCommandLineOption profile(QStringLiteral("profile"),
                                     QStringLiteral("Folder for contacts, history and settings (a second identity)."),
                                     QStringLiteral("DIR"));
    const QCommandLineOption name(QStringLiteral("name"), QStringLiteral("Nickname other people see."),
                                  QStringLiteral("NICK"));
    const QCommandLineOption contactsOnly(QStringLiteral("contacts-only"),
                                          QStringLiteral("Refuse messages from addresses that are no contact."));
    const QCommandLineOption broadcast(
        QStringLiteral("broadcast"),
        QStringLiteral("Announce yourself to the whole LAN (IP Messenger broadcast entry); off by default."));
    const QCommandLineOption lang(QStringLiteral("lang"), QStringLiteral("User interface language (en, zh_CN)."),
                                  QStringLiteral("LANG"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Render the window to a PNG file and exit."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption last(QStringLiteral("last"),
                                  QStringLiteral("pigeon history: only the newest N messages of each conversation."),
                                  QStringLiteral("N"));
    const QCommandLineOption search(
        QStringLiteral("search"),
        QStringLiteral("pigeon history: only the messages that contain TEXT (every word of it), newest first."),
        QStringLiteral("TEXT"));
    const QCommandLineOption fingerprint(
        QStringLiteral("fingerprint"),
        QStringLiteral("Print this profile's key fingerprint (made on first use) for others to compare, and exit."));
    const QCommandLineOption legacy(
        QStringLiteral("legacy-encoding"),
        QStringLiteral("Encoding for IP Messenger peers without UTF-8: gbk or cp932 (default: "
                       "by the system locale, cp932 for Japanese, else gbk)."),
        QStringLiteral("ENCODING"));

    const QCommandLineOption downloads(
        QStringLiteral("downloads"),
        QStringLiteral("Folder for received files (default: your download folder's Pigeon subfolder)."),
        QStringLiteral("DIR"));
    const QCommandLineOption acceptFiles(
        QStringLiteral("accept-files"),
        QStringLiteral("Accept files offered by contacts without asking (never from strangers)."));
    parser.addOptions({console, port, bind, profile, name, contactsOnly, broadcast, lang, screenshot, last, search,
                       fingerprint, legacy, downloads, acceptFiles});
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QStringLiteral("contacts: list, add or remove contacts; history: print messages; "
                                                "doctor: check the history database."));
    if (!parser.parse(arguments)) {
        err() << "pigeon: " << parser.errorText() << "\nTry pigeon --help.\n";
        return std::nullopt;
    }
    // QCommandLineParser takes the word after "--search" as its TEXT even when it is an option ("--search --profile
    // X" would search for "--profile"): such a word is refused, and text that starts with '-' is given as
    // --search=TEXT.
    for (qsizetype i = 1; i + 1 < arguments.size() && arguments[i] != u"--"; ++i) {
        if (arguments[i] == u"--search" && arguments[i + 1].startsWith(u'-') && arguments[i + 1].size() > 1) {
            err() << "pigeon: missing TEXT after '--search' (\"" << arguments[i + 1]
                  << "\" is an option; for text that starts with '-', write --search=TEXT)\nTry pigeon --help.\n";
            return std::nullopt;
        }
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        std::exit(Ok);
    }
    if (parser.isSet(QStringLiteral("version"))) {
        QTextStream(stdout) << "pigeon " PIGEON_VERSION "\n";
        std::exit(Ok);
    }
    Parsed parsed;
    parsed.console = parser.isSet(console);
    parsed.fingerprint = parser.isSet(fingerprint);
    parsed.positional = parser.positionalArguments();
    parsed.options.profileDir = parser.value(profile);
    parsed.options.nick = parser.value(name).trimmed();
    parsed.options.contactsOnly = parser.isSet(contactsOnly);
    parsed.options.broadcast = parser.isSet(broadcast);
    parsed.options.downloads = parser.value(downloads);
    parsed.options.acceptFiles = parser.isSet(acceptFiles);
    parsed.gui.language = parser.value(lang);
    parsed.gui.screenshot = parser.value(screenshot);
    if (parser.isSet(search))
        parsed.search = parser.value(search);
    if (parser.isSet(last)) {
        bool ok = false;
        parsed.last = parser.value(last).toInt(&ok);
        if (!ok || parsed.last < 1) {
            err() << "pigeon: --last must be a number of messages, 1 or more, not \"" << parser.value(last) << "\"\n";
            return std::nullopt;
        }
    }
    if (parser.isSet(legacy)) {
        const auto encoding = textcodec::encodingFromName(parser.value(legacy));
        if (encoding != TextEncoding::Gbk && encoding != TextEncoding::Cp932) {
            err() << "pigeon: --legacy-encoding must be gbk or cp932, not \"" << parser.value(legacy) << "\"\n";
            return std::nullopt;
        }
        parsed.options.legacyEncoding = encoding;
    }
    // An empty nickname would leave others nothing to call this Pigeon by; without --name the profile's is used.
    if (parser.isSet(name) && parsed.options.nick.isEmpty()) {
        err() << "pigeon: --name needs a nickname, not an empty one\n";
        return std::nullopt;
    }
    // The languages there are translations for (resources/translations), English being the source.
    static const QStringList languages{QStringLiteral("en"), QStringLiteral("zh_CN")};
    if (parser.isSet(lang) && !languages.contains(parsed.gui.language)) {
        err() << "pigeon: --lang must be " << languages.join(QStringLiteral(" or ")) << ", not \""
              << parsed.gui.language << "\"\n";
        return std::nullopt;
    }
    if (parsed.options.nick.size() > 64) {
        err() << "pigeon: --name is longer than 64 characters\n";
        return std::nullopt;
    }
    if (parser.isSet(port)) {
        const auto value = parsePort(parser.value(port));
        if (!value) {
            err() << "pigeon: --port must be a number from 1 to 65535, not \"" << parser.value(port) << "\"\n";
            return std::nullopt;
        }
        parsed.options.port = *value;
    }
    if (parser.isSet(bind)) {
        QHostAddress address;
        if (!address.setAddress(parser.value(bind))) {
            err() << "pigeon: --bind needs an IP address such as 127.0.0.1 or ::1, not \"" << parser.value(bind)
                  << "\"\n";
            return std::nullopt;
        }
        parsed.options.bind = address;
    }
    return parsed;
}

// Why `host` cannot be used now, or empty. A name that does not resolve when the contact is added is most likely
// mistyped, and the user is there to fix it; the lookup waits at most 10 s.
QString unresolvable(const QString& host)
{
    QHostAddress literal;
    if (literal.setAddress(host))
        return {};
    QEventLoop loop;
    std::optional<QString> error;
    const int id = QHostInfo::lookupHost(host, &loop, [&](const QHostInfo& info) {
        error = info.error() == QHostInfo::NoError && !info.addresses().isEmpty() ? QString() : info.errorString();
        loop.quit();
    });
    QTimer::singleShot(10'000, &loop, &QEventLoop::quit);
    loop.exec();
    if (!error) {
        QHostInfo::abortHostLookup(id);
        return QStringLiteral("no answer within 10 s");
    }
    return *error;
}

int contactsCommand(const Parsed& parsed)
{
    const QStringList& args = parsed.positional;
    Profile profile(parsed.options.profileDir);
    QString error;
    if (!profile.ensureExists(&error)) {
        err() << "pigeon: " << error << '\n';
        return StartError;
    }
    const QString verb = args.value(1);
    // A running Pigeon keeps the contacts in memory and writes them back whole at its next change, so a change made
    // here meanwhile would be lost (and not seen there): as for the rest of the profile, one process at a time.
    ProfileLock lock(profile);
    if (verb != u"list" && !verb.isEmpty() && !lock.acquire()) {
        if (!lock.error().isEmpty()) {
            err() << "pigeon: " << lock.error() << '\n';
            return StartError;
        }
        err() << "pigeon: the profile " << profile.directory() << " is in use by "
              << (lock.holderIsWindow() ? "the Pigeon window" : "Pigeon in a terminal") << " (pid " << lock.holderPid()
              << "); change the contacts there (/add, Contacts menu), or quit it first\n";
        return StartError;
    }
    ContactBook book;
    if (!book.load(profile.contactsPath())) {
        err() << "pigeon: " << book.error() << '\n';
        return StartError;
    }
    QTextStream out(stdout);
    if (verb == u"list" || verb.isEmpty()) {
        for (const Contact& c : book.contacts())
            out << c.name << '\t' << c.host << '\t' << c.port << '\t' << protocolName(c.protocol) << '\t'
                << textcodec::encodingName(c.encoding) << '\n';
        return Ok;
    }
    if (verb == u"add" && args.size() >= 4) {
        QString error;
        const auto spec = ContactSpec::parse(args.mid(2), &error);
        if (!spec) {
            err() << "pigeon: " << error << '\n';
            return UsageError;
        }
        const Contact& c = *spec;
        if (book.validate(c).isEmpty()) {
            if (const QString why = unresolvable(c.host.trimmed()); !why.isEmpty()) {
                err() << "pigeon: the host name \"" << c.host.trimmed() << "\" does not resolve (" << why
                      << "); check the spelling, or give its IP address\n";
                return UsageError;
            }
        }
        if (const QString why = book.add(c); !why.isEmpty()) {
            err() << "pigeon: " << why << '\n';
            return UsageError;
        }
        return Ok;
    }
    if (verb == u"remove" && args.size() == 3) {
        if (const QString why = book.remove(args[2]); !why.isEmpty()) {
            err() << "pigeon: " << why << '\n';
            return UsageError;
        }
        return Ok;
    }
    err() << "usage: pigeon contacts list | add NAME HOST[:PORT] [plain] [auto|utf-8|gbk|cp932] | remove NAME\n";
    return UsageError;
}

// Lines of `pigeon history` as the console prints them, also for group conversations ("GROUP › SENDER (ADDRESS:PORT):
// TEXT"): a sender is named by the contact at its address:port, else by the name it gave the group, with a '?'.
class HistoryLines {
public:
    HistoryLines(History& history, const Profile& profile)
        : m_line(isatty(STDOUT_FILENO) && qEnvironmentVariableIsEmpty("NO_COLOR"))
        , m_groups(&history)
    {
        QString error;
        if (history.isOpen())
            m_groups.load(&error); // without the groups, their messages are printed as any others
        m_contacts.load(profile.contactsPath());
    }
    const MessageLine& line() const { return m_line; }
    QString format(const Message& m, const QList<search::Span>& marks = {}) const
    {
        const QString timeFormat = QStringLiteral("yyyy-MM-dd HH:mm:ss");
        const GroupBook::Group* group = m.peer.startsWith(u'#') ? m_groups.find(m.peer) : nullptr;
        if (!group)
            return m_line.format(m, {}, timeFormat, marks);
        const auto from = Endpoint::parse(m.remote);
        for (const Contact& c : m_contacts.contacts())
            if (from && Endpoint::parse(c.host + u':' + QString::number(c.port)) == from)
                return m_line.formatGroup(m, group->name, c.name, timeFormat, marks);
        const Roster::Entry* e = group->roster.find(m.remote);
        return m_line.formatGroup(m, group->name, e && !e->name.isEmpty() ? e->name + u'?' : m.remote, timeFormat,
                                  marks);
    }

private:
    MessageLine m_line;
    GroupBook m_groups;
    ContactBook m_contacts;
};

// pigeon history --search TEXT [PEER] [--last N]: the messages that match, newest first, a page at a time, with the
// matching words in bold on a terminal.
int searchCommand(const Parsed& parsed, History& history, const QString& peer, const HistoryLines& lines)
{
    QTextStream out(stdout);
    out.setEncoding(QStringConverter::Utf8);
    qint64 printed = 0;
    qint64 before = 0;
    do {
        const SearchPage page = history.search(*parsed.search, peer, before, 500);
        for (const SearchHit& hit : page.hits) {
            out << lines.format(hit.message, hit.spans) << '\n';
            if (++printed == parsed.last)
                return Ok;
        }
        before = page.next;
    } while (before != 0);
    if (!history.error().isEmpty()) {
        out.flush();
        err() << "pigeon: " << history.error() << '\n';
        return StartError;
    }
    return Ok;
}

// pigeon history [PEER] [--last N]: the stored messages, oldest first, as the console shows them. Opens the history
// read-only, so it works while another Pigeon uses the profile.
int historyCommand(const Parsed& parsed)
{
    const QStringList& args = parsed.positional;
    if (args.size() > 2 || (parsed.search && parsed.search->trimmed().isEmpty())) {
        err() << "usage: pigeon history [PEER] [--last N] [--search TEXT] [--profile DIR]\n";
        return UsageError;
    }
    QString peer = args.value(1);
    Profile profile(parsed.options.profileDir);
    History history;
    QStringList peers;
    if (QFileInfo::exists(profile.historyPath())) {
        if (!history.open(profile.historyPath(), History::Access::ReadOnly)) {
            err() << "pigeon: " << history.error() << '\n';
            return StartError;
        }
        const QList<ConversationSummary> all = history.conversations();
        if (!history.error().isEmpty()) {
            err() << "pigeon: " << history.error() << '\n';
            return StartError;
        }
        // Oldest conversation first, as each conversation is printed oldest message first.
        for (auto it = all.crbegin(); it != all.crend(); ++it)
            peers.append(it->peer);
    }
    if (!peer.isEmpty()) {
        // A group is named as /to takes it: "team" or "#team" (a conversation of that name wins).
        if (history.isOpen() && !peer.startsWith(u'#') && !history.hasConversation(peer) &&
            history.hasConversation(u'#' + peer))
            peer.prepend(u'#');
        if (!history.isOpen() || !history.hasConversation(peer)) {
            err() << "pigeon: no conversation with \"" << peer << "\" in " << profile.historyPath() << '\n';
            return UsageError;
        }
        peers = {peer};
    }
    const HistoryLines lines(history, profile);
    if (parsed.search)
        return history.isOpen() ? searchCommand(parsed, history, peer, lines) : Ok;
    QTextStream out(stdout);
    out.setEncoding(QStringConverter::Utf8);
    constexpr int Page = 1000;
    for (const QString& p : std::as_const(peers)) {
        if (peer.isEmpty())
            out << lines.line().paint(QStringLiteral("== ") + textcodec::printable(p) + QStringLiteral(" =="),
                                      MessageLine::Bold)
                << '\n';
        // --last N: the newest N; else every message, a page at a time from the oldest.
        QList<Message> page = parsed.last
                                  ? history.conversation(p, std::numeric_limits<double>::infinity(), parsed.last)
                                  : history.conversationAfter(p, -1, 0, Page);
        while (!page.isEmpty()) {
            for (const Message& m : std::as_const(page))
                out << lines.format(m) << '\n';
            if (parsed.last || page.size() < Page)
                break;
            page = history.conversationAfter(p, page.last().sortKey, page.last().packetNo, Page);
        }
        if (!history.error().isEmpty()) {
            out.flush();
            err() << "pigeon: " << history.error() << '\n';
            return StartError;
        }
    }
    return Ok;
}

// pigeon doctor: SQLite's integrity check over the whole history file (what opening it no longer does, so that
// start-up does not grow with the history).
int doctorCommand(const Parsed& parsed)
{
    if (parsed.positional.size() > 1) {
        err() << "usage: pigeon doctor [--profile DIR]\n";
        return UsageError;
    }
    const QString path = Profile(parsed.options.profileDir).historyPath();
    QString report;
    switch (History::check(path, &report)) {
    case History::Health::Ok:
        QTextStream(stdout) << "pigeon: the history database " << path << " is sound\n";
        return Ok;
    case History::Health::Damaged:
        err() << "pigeon: the history database " << path << " is damaged:\n"
              << report << "\nKeep a copy of it; \"sqlite3 " << path
              << " .recover\" saves what can still be read. Pigeon leaves the file as it is.\n";
        return StartError;
    case History::Health::Unreadable: break;
    }
    err() << "pigeon: cannot check the history database " << path << ": " << report << '\n';
    return StartError;
}

// Whether the command line asks for the window: no --console, --help or --version and no command word. Decided
// before any QApplication exists, as constructing one without a display aborts.
bool wantsWindow(int argc, char** argv)
{
    static const QByteArrayList withValue{"-p",     "--port", "-b",           "--bind", "--profile",
                                          "--name", "--lang", "--screenshot", "--last", "--search"};
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg = argv[i];
        if (arg == "--console" || arg == "--help" || arg == "-h" || arg == "-?" || arg == "--help-all" ||
            arg == "--version" || arg == "-v" || arg == "--fingerprint")
            return false;
        if (withValue.contains(arg))
            ++i;
        else if (!arg.startsWith('-'))
            return false; // a command word: contacts, or one to refuse
    }
    return true;
}

// Qt picks a display from these (QT_QPA_PLATFORM=offscreen needs none).
bool hasDisplay()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

// Takes the profile for this run. Returns nullopt when it is ours, else the exit code: 0 once the window that holds
// it came to the front (a second start of the window), 2 when it is in use or the lock cannot be written.
std::optional<int> claimProfile(const Parsed& parsed, ProfileLock& lock, const Profile& profile, bool window)
{
    if (lock.acquire())
        return std::nullopt;
    if (!lock.error().isEmpty()) {
        err() << "pigeon: " << lock.error() << '\n';
        return StartError;
    }
    const qint64 pid = lock.holderPid();
    const bool holderIsWindow = lock.holderIsWindow();
    if (window && holderIsWindow && parsed.gui.screenshot.isEmpty() && lock.activateHolder()) {
        QTextStream(stdout) << "pigeon: the window on this profile (pid " << pid << ") is now in front\n";
        return Ok;
    }
    err() << "pigeon: the profile " << profile.directory() << " is in use by "
          << (holderIsWindow ? "the Pigeon window" : "Pigeon in a terminal") << " (pid " << pid
          << "); use that one, or start with another --profile\n";
    return StartError;
}

// pigeon --fingerprint: this profile's identity fingerprint on stdout, the key made first if there is none.
int printFingerprint(const Parsed& parsed)
{
    Profile profile(parsed.options.profileDir);
    QString error;
    KeyStore identity;
    if (!profile.ensureExists(&error) || !identity.open(profile.directory())) {
        err() << "pigeon: " << (error.isEmpty() ? identity.error() : error) << '\n';
        return StartError;
    }
    for (const QString& warning : identity.warnings())
        err() << "pigeon: " << warning << '\n';
    QTextStream(stdout) << identity.fingerprint() << '\n';
    return Ok;
}

int runConsole(const Parsed& parsed)
{
    Session session;
    // An upgrade of a long history takes seconds: say how far it is, every 10 %.
    session.history().setUpgradeProgress([reported = -1](int percent) mutable {
        if (percent / 10 == reported / 10)
            return;
        reported = percent;
        err() << "pigeon: upgrading the history database: " << percent << " %\n";
        err().flush();
    });
    if (!session.open(parsed.options)) {
        err() << "pigeon: " << session.error() << '\n';
        return StartError;
    }
    const bool color = isatty(STDOUT_FILENO) && qEnvironmentVariableIsEmpty("NO_COLOR");
    Console console(session, color);
    QObject::connect(&console, &Console::finished, QCoreApplication::instance(),
                     [](int code) { QCoreApplication::exit(code); });
    console.start();
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication::setOrganizationName(QStringLiteral("Pigeon"));
    QCoreApplication::setApplicationName(QStringLiteral("pigeon"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PIGEON_VERSION));

    const bool gui = wantsWindow(argc, argv);
    if (gui && !hasDisplay()) {
        err() << "pigeon: no graphical display; run `pigeon --console` for the terminal\n";
        return UsageError;
    }
    std::unique_ptr<QCoreApplication> app(gui ? new QApplication(argc, argv) : new QCoreApplication(argc, argv));
    const auto parsed = parseArguments(QCoreApplication::arguments());
    if (!parsed)
        return UsageError;
    if (parsed->fingerprint)
        return printFingerprint(*parsed);
    if (parsed->positional.value(0) == u"contacts")
        return contactsCommand(*parsed);
    if (parsed->positional.value(0) == u"history")
        return historyCommand(*parsed);
    if (parsed->positional.value(0) == u"doctor")
        return doctorCommand(*parsed);
    if (!parsed->positional.isEmpty()) {
        err() << "pigeon: unknown command \"" << parsed->positional.first() << "\"\nTry pigeon --help.\n";
        return UsageError;
    }
    const Profile profile(parsed->options.profileDir);
    QString error;
    if (!profile.ensureExists(&error)) {
        err() << "pigeon: " << error << '\n';
        return StartError;
    }
    ProfileLock lock(profile);
    if (const auto code = claimProfile(*parsed, lock, profile, !parsed->console))
        return *code;
    if (parsed->console)
        return runConsole(*parsed);
    GuiOptions guiOptions = parsed->gui;
    if (!lock.listen())
        err() << "pigeon: a second start cannot bring this window to the front: " << lock.error() << '\n';
    guiOptions.instance = &lock;
    return runGui(parsed->options, guiOptions);
}
