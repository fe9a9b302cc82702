// pigeon: the desktop messenger, its console mode (--console) and contacts scripting (pigeon contacts ...).

#include "console.h"
#include "contactspec.h"
#include "groupbook.h"
#include "keystore.h"
#include "language.h"
#include "mainwindow.h"
#include "messageline.h"
#include "ownendpoints.h"
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

// The command line's own words (option help, errors, the commands' reports), one translation context for them all.
// Option and command names, and the output that scripts read, stay as they are in every language.
class CommandLine {
    Q_DECLARE_TR_FUNCTIONS(CommandLine)
};

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
        CommandLine::tr("Pigeon: chat across a LAN without any server, one UDP datagram per message.\n"
                        "  pigeon                      start the desktop messenger\n"
                        "  pigeon --console            chat from a terminal\n"
                        "  pigeon contacts list|add NAME HOST[:PORT] [plain] [ENCODING]|remove NAME\n"
                        "  pigeon history [PEER] [--last N]   print a conversation (all of them without PEER)\n"
                        "  pigeon history --search TEXT [PEER] [--last N]   messages that contain TEXT, newest first\n"
                        "  pigeon doctor               check the history database for damage"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption console(QStringLiteral("console"),
                                     CommandLine::tr("Chat in the terminal instead of a window."));
    const QCommandLineOption port({QStringLiteral("p"), QStringLiteral("port")},
                                  CommandLine::tr("UDP port to listen on (default 2425, the IP Messenger port)."),
                                  QStringLiteral("N"));
    const QCommandLineOption bind({QStringLiteral("b"), QStringLiteral("bind")},
                                  CommandLine::tr("Address to listen on (default: all)."), QStringLiteral("ADDRESS"));
    const QCommandLineOption profile(QStringLiteral("profile"),
                                     CommandLine::tr("Folder for contacts, history and settings (a second identity)."),
                                     QStringLiteral("DIR"));
    const QCommandLineOption name(QStringLiteral("name"), CommandLine::tr("Nickname other people see."),
                                  QStringLiteral("NICK"));
    const QCommandLineOption contactsOnly(QStringLiteral("contacts-only"),
                                          CommandLine::tr("Refuse messages from addresses that are no contact."));
    const QCommandLineOption broadcast(
        QStringLiteral("broadcast"),
        CommandLine::tr("Announce yourself to the whole LAN (IP Messenger broadcast entry); off by default."));
    const QCommandLineOption lang(QStringLiteral("lang"), CommandLine::tr("User interface language (en, zh_CN)."),
                                  QStringLiteral("LANG"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        CommandLine::tr("Render the window to a PNG file and exit."),
                                        QStringLiteral("FILE"));
    const QCommandLineOption last(QStringLiteral("last"),
                                  CommandLine::tr("pigeon history: only the newest N messages of each conversation."),
                                  QStringLiteral("N"));
    const QCommandLineOption search(
        QStringLiteral("search"),
        CommandLine::tr("pigeon history: only the messages that contain TEXT (every word of it), newest first."),
        QStringLiteral("TEXT"));
    const QCommandLineOption fingerprint(
        QStringLiteral("fingerprint"),
        CommandLine::tr("Print this profile's key fingerprint (made on first use) for others to compare, and exit."));
    const QCommandLineOption legacy(
        QStringLiteral("legacy-encoding"),
        CommandLine::tr("Encoding for IP Messenger peers without UTF-8: gbk or cp932 (default: "
                        "by the system locale, cp932 for Japanese, else gbk)."),
        QStringLiteral("ENCODING"));

    const QCommandLineOption downloads(
        QStringLiteral("downloads"),
        CommandLine::tr("Folder for received files (default: your download folder's Pigeon subfolder)."),
        QStringLiteral("DIR"));
    const QCommandLineOption acceptFiles(
        QStringLiteral("accept-files"),
        CommandLine::tr("Accept files offered by contacts without asking (never from strangers)."));
    parser.addOptions({console, port, bind, profile, name, contactsOnly, broadcast, lang, screenshot, last, search,
                       fingerprint, legacy, downloads, acceptFiles});
    parser.addPositionalArgument(QStringLiteral("command"),
                                 CommandLine::tr("contacts: list, add or remove contacts; history: print messages; "
                                                 "doctor: check the history database."));
    if (!parser.parse(arguments)) {
        err() << "pigeon: " << parser.errorText() << '\n' << CommandLine::tr("Try pigeon --help.") << '\n';
        return std::nullopt;
    }
    // QCommandLineParser takes the word after "--search" as its TEXT even when it is an option ("--search --profile
    // X" would search for "--profile"): such a word is refused, and text that starts with '-' is given as
    // --search=TEXT.
    for (qsizetype i = 1; i + 1 < arguments.size() && arguments[i] != u"--"; ++i) {
        if (arguments[i] == u"--search" && arguments[i + 1].startsWith(u'-') && arguments[i + 1].size() > 1) {
            err() << "pigeon: "
                  << CommandLine::tr("missing TEXT after '--search' (\"%1\" is an option; for text that starts with "
                                     "'-', write --search=TEXT)")
                         .arg(arguments[i + 1])
                  << '\n'
                  << CommandLine::tr("Try pigeon --help.") << '\n';
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
            err()
                << "pigeon: "
                << CommandLine::tr("--last must be a number of messages, 1 or more, not \"%1\"").arg(parser.value(last))
                << '\n';
            return std::nullopt;
        }
    }
    if (parser.isSet(legacy)) {
        const auto encoding = textcodec::encodingFromName(parser.value(legacy));
        if (encoding != TextEncoding::Gbk && encoding != TextEncoding::Cp932) {
            err() << "pigeon: "
                  << CommandLine::tr("--legacy-encoding must be gbk or cp932, not \"%1\"").arg(parser.value(legacy))
                  << '\n';
            return std::nullopt;
        }
        parsed.options.legacyEncoding = encoding;
    }
    // An empty nickname would leave others nothing to call this Pigeon by; without --name the profile's is used.
    if (parser.isSet(name) && parsed.options.nick.isEmpty()) {
        err() << "pigeon: " << CommandLine::tr("--name needs a nickname, not an empty one") << '\n';
        return std::nullopt;
    }
    // The languages there are translations for (resources/translations), English being the source.
    static const QStringList languages{QStringLiteral("en"), QStringLiteral("zh_CN")};
    if (parser.isSet(lang) && !languages.contains(parsed.gui.language)) {
        err() << "pigeon: "
              << CommandLine::tr("--lang must be %1 or %2, not \"%3\"")
                     .arg(languages.first(), languages.last(), parsed.gui.language)
              << '\n';
        return std::nullopt;
    }
    if (parsed.options.nick.size() > 64) {
        err() << "pigeon: " << CommandLine::tr("--name is longer than 64 characters") << '\n';
        return std::nullopt;
    }
    if (parser.isSet(port)) {
        const auto value = parsePort(parser.value(port));
        if (!value) {
            err() << "pigeon: "
                  << CommandLine::tr("--port must be a number from 1 to 65535, not \"%1\"").arg(parser.value(port))
                  << '\n';
            return std::nullopt;
        }
        parsed.options.port = *value;
    }
    if (parser.isSet(bind)) {
        QHostAddress address;
        if (!address.setAddress(parser.value(bind))) {
            err() << "pigeon: "
                  << CommandLine::tr("--bind needs an IP address such as 127.0.0.1 or ::1, not \"%1\"")
                         .arg(parser.value(bind))
                  << '\n';
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
        return CommandLine::tr("no answer within 10 s");
    }
    return *error;
}

// Who holds a profile, as the "in use by" errors name it.
QString holderName(bool window)
{
    return window ? CommandLine::tr("the Pigeon window") : CommandLine::tr("Pigeon in a terminal");
}

// Why contact `c` would be this Pigeon itself, or empty. Without its running socket, this Pigeon's port is the one
// --port gives or the profile recorded (not the default, which another Pigeon on this machine may use), on the
// address --bind gives or the profile recorded (all of them by default): a literal address of this machine at that
// port is refused, as the window's contact dialog refuses the socket's own.
QString ownEndpointRefusal(const Parsed& parsed, const Profile& profile, const Contact& c)
{
    const std::optional<quint16> port = parsed.options.port ? parsed.options.port : profile.recordedPort();
    QHostAddress address;
    if (!port || c.port != *port || !address.setAddress(c.host.trimmed()))
        return {};
    const QHostAddress bind =
        parsed.options.bind == QHostAddress(QHostAddress::Any) ? profile.bindAddress() : parsed.options.bind;
    const OwnEndpoints own([&] { return Endpoint{bind, *port}; }, [] { return qint64(0); });
    if (!own.contains({address, c.port}))
        return {};
    return CommandLine::tr("%1 is this Pigeon itself (it listens on port %2): it cannot be a contact")
        .arg(Endpoint{address, c.port}.toString())
        .arg(*port);
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
        err() << "pigeon: "
              << CommandLine::tr("the profile %1 is in use by %2 (pid %3); change the contacts there (/add, Contacts "
                                 "menu), or quit it first")
                     .arg(profile.directory(), holderName(lock.holderIsWindow()))
                     .arg(lock.holderPid())
              << '\n';
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
        if (const QString why = ownEndpointRefusal(parsed, profile, c); !why.isEmpty()) {
            err() << "pigeon: " << why << '\n';
            return UsageError;
        }
        if (book.validate(c).isEmpty()) {
            if (const QString why = unresolvable(c.host.trimmed()); !why.isEmpty()) {
                err() << "pigeon: "
                      << CommandLine::tr("the host name \"%1\" does not resolve (%2); check the spelling, or give "
                                         "its IP address")
                             .arg(c.host.trimmed(), why)
                      << '\n';
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
    err() << CommandLine::tr("usage: %1")
                 .arg(QStringLiteral(
                     "pigeon contacts list | add NAME HOST[:PORT] [plain] [auto|utf-8|gbk|cp932] | remove NAME"))
          << '\n';
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

// How a command that printed messages read from `history` to `out` ends: Ok, or StartError when a read failed, said
// after what was printed.
int endOfPrinting(QTextStream& out, const History& history)
{
    if (history.error().isEmpty())
        return Ok;
    out.flush();
    err() << "pigeon: " << history.error() << '\n';
    return StartError;
}

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
    return endOfPrinting(out, history);
}

// pigeon history [PEER] [--last N]: the stored messages, oldest first, as the console shows them. Opens the history
// read-only, so it works while another Pigeon uses the profile.
int historyCommand(const Parsed& parsed)
{
    const QStringList& args = parsed.positional;
    if (args.size() > 2 || (parsed.search && parsed.search->trimmed().isEmpty())) {
        err() << CommandLine::tr("usage: %1")
                     .arg(QStringLiteral("pigeon history [PEER] [--last N] [--search TEXT] [--profile DIR]"))
              << '\n';
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
            err() << "pigeon: " << CommandLine::tr("no conversation with \"%1\" in %2").arg(peer, profile.historyPath())
                  << '\n';
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
        if (const int code = endOfPrinting(out, history); code != Ok)
            return code;
    }
    return Ok;
}

// pigeon doctor: SQLite's integrity check over the whole history file (what opening it no longer does, so that
// start-up does not grow with the history).
int doctorCommand(const Parsed& parsed)
{
    if (parsed.positional.size() > 1) {
        err() << CommandLine::tr("usage: %1").arg(QStringLiteral("pigeon doctor [--profile DIR]")) << '\n';
        return UsageError;
    }
    const QString path = Profile(parsed.options.profileDir).historyPath();
    QString report;
    switch (History::check(path, &report)) {
    case History::Health::Ok:
        QTextStream(stdout) << "pigeon: " << CommandLine::tr("the history database %1 is sound").arg(path) << '\n';
        return Ok;
    case History::Health::Damaged:
        err() << "pigeon: " << CommandLine::tr("the history database %1 is damaged:").arg(path) << '\n'
              << report << '\n'
              << CommandLine::tr("Keep a copy of it; \"sqlite3 %1 .recover\" saves what can still be read. Pigeon "
                                 "leaves the file as it is.")
                     .arg(path)
              << '\n';
        return StartError;
    case History::Health::Unreadable: break;
    }
    err() << "pigeon: " << CommandLine::tr("cannot check the history database %1: %2").arg(path, report) << '\n';
    return StartError;
}

// The language that --lang L (or --lang=L) asks for, the last one given, else empty (the system locale): read before
// the options are parsed, so that their help and errors are in it too; parseArguments() refuses a language there is
// no translation for.
QString languageArgument(const QStringList& arguments)
{
    QString language;
    for (qsizetype i = 1; i < arguments.size() && arguments[i] != u"--"; ++i) {
        if (arguments[i] == u"--lang" && i + 1 < arguments.size())
            language = arguments[++i];
        else if (arguments[i].startsWith(u"--lang="))
            language = arguments[i].mid(7);
    }
    return language;
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
        QTextStream(stdout) << "pigeon: "
                            << CommandLine::tr("the window on this profile (pid %1) is now in front").arg(pid) << '\n';
        return Ok;
    }
    err() << "pigeon: "
          << CommandLine::tr("the profile %1 is in use by %2 (pid %3); use that one, or start with another --profile")
                 .arg(profile.directory(), holderName(holderIsWindow))
                 .arg(pid)
          << '\n';
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
        err() << "pigeon: " << CommandLine::tr("upgrading the history database: %1 %").arg(percent) << '\n';
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
    const bool window = gui && hasDisplay();
    std::unique_ptr<QCoreApplication> app(window ? new QApplication(argc, argv) : new QCoreApplication(argc, argv));
    // In the language asked for before anything is printed, the errors in the options included.
    installTranslations(languageArgument(QCoreApplication::arguments()));
    if (gui && !window) {
        err() << "pigeon: " << CommandLine::tr("no graphical display; run `pigeon --console` for the terminal") << '\n';
        return UsageError;
    }
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
        err() << "pigeon: " << CommandLine::tr("unknown command \"%1\"").arg(parsed->positional.first()) << '\n'
              << CommandLine::tr("Try pigeon --help.") << '\n';
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
        err() << "pigeon: "
              << CommandLine::tr("a second start cannot bring this window to the front: %1").arg(lock.error()) << '\n';
    guiOptions.instance = &lock;
    return runGui(parsed->options, guiOptions);
}
