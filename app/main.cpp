// pigeon: the desktop messenger, its console mode (--console) and contacts scripting (pigeon contacts ...).

#include "console.h"
#include "keystore.h"
#include "mainwindow.h"
#include "session.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
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
                       "  pigeon contacts list|add NAME HOST[:PORT] [plain] [gbk]|remove NAME"));
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
    const QCommandLineOption fingerprint(
        QStringLiteral("fingerprint"),
        QStringLiteral("Print this profile's key fingerprint (made on first use) for others to compare, and exit."));
    parser.addOptions({console, port, bind, profile, name, contactsOnly, broadcast, lang, screenshot, fingerprint});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("contacts: list, add or remove contacts."));
    if (!parser.parse(arguments)) {
        err() << "pigeon: " << parser.errorText() << "\nTry pigeon --help.\n";
        return std::nullopt;
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
    parsed.gui.language = parser.value(lang);
    parsed.gui.screenshot = parser.value(screenshot);
    if (parsed.options.nick.size() > 64) {
        err() << "pigeon: --name is longer than 64 characters\n";
        return std::nullopt;
    }
    if (parser.isSet(port)) {
        bool ok = false;
        const uint value = parser.value(port).toUInt(&ok);
        if (!ok || value < 1 || value > 65535) {
            err() << "pigeon: --port must be a number from 1 to 65535, not \"" << parser.value(port) << "\"\n";
            return std::nullopt;
        }
        parsed.options.port = quint16(value);
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
    ContactBook book;
    if (!book.load(profile.contactsPath())) {
        err() << "pigeon: " << book.error() << '\n';
        return StartError;
    }
    QTextStream out(stdout);
    const QString verb = args.value(1);
    if (verb == u"list" || verb.isEmpty()) {
        for (const Contact& c : book.contacts())
            out << c.name << '\t' << c.host << '\t' << c.port << '\t' << protocolName(c.protocol) << '\t'
                << textcodec::encodingName(c.encoding) << '\n';
        return Ok;
    }
    if (verb == u"add" && args.size() >= 4) {
        Contact c;
        c.name = args[2];
        const auto ep = Endpoint::parse(args[3]);
        if (ep && (args[3].startsWith(u'[') || args[3].count(u':') == 1)) {
            c.host = args[3].left(args[3].lastIndexOf(u':')).remove(u'[').remove(u']');
            c.port = ep->port;
        } else if (args[3].count(u':') == 1) {
            c.host = args[3].section(u':', 0, 0);
            bool ok = false;
            const uint port = args[3].section(u':', 1).toUInt(&ok);
            if (!ok || port < 1 || port > 65535) {
                err() << "pigeon: the port must be a number from 1 to 65535\n";
                return UsageError;
            }
            c.port = quint16(port);
        } else {
            c.host = args[3];
        }
        for (const QString& option : args.mid(4)) {
            if (option == u"plain")
                c.protocol = Protocol::PlainText;
            else if (option == u"gbk")
                c.encoding = TextEncoding::Gbk;
            else {
                err() << "pigeon: unknown option \"" << option << "\" (use plain and/or gbk)\n";
                return UsageError;
            }
        }
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
    err() << "usage: pigeon contacts list | add NAME HOST[:PORT] [plain] [gbk] | remove NAME\n";
    return UsageError;
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

    bool gui = true;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg = argv[i];
        if (arg == "--console" || arg == "contacts" || arg == "--help" || arg == "-h" || arg == "--version" ||
            arg == "-v" || arg == "--fingerprint")
            gui = false;
    }
    std::unique_ptr<QCoreApplication> app(gui ? new QApplication(argc, argv) : new QCoreApplication(argc, argv));
    const auto parsed = parseArguments(QCoreApplication::arguments());
    if (!parsed)
        return UsageError;
    if (parsed->fingerprint)
        return printFingerprint(*parsed);
    if (parsed->positional.value(0) == u"contacts")
        return contactsCommand(*parsed);
    if (!parsed->positional.isEmpty()) {
        err() << "pigeon: unknown command \"" << parsed->positional.first() << "\"\nTry pigeon --help.\n";
        return UsageError;
    }
    if (parsed->console)
        return runConsole(*parsed);
    return runGui(parsed->options, parsed->gui);
}
