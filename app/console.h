#pragma once

#include "messageline.h"
#include "session.h"

#include <QObject>
#include <QSocketNotifier>
#include <QTextStream>

// The terminal front end: prints who wrote (colored, with their address) and sends what is typed. Reads standard
// input through the event loop, so a message arriving while someone types is printed at once, and a pipe or a
// file works as well as a keyboard.
class Console : public QObject {
    Q_OBJECT
public:
    // The exit code when some input line was refused (a message over the limit, an unknown command...), so that a
    // script piping lines in can tell.
    static constexpr int RefusedInputExit = 3;

    Console(Session& session, bool color, QObject* parent = nullptr);
    void start();

Q_SIGNALS:
    void finished(int exitCode);

private:
    void readInput();
    void handleLine(const QString& line);
    void command(const QString& line);
    // The partner and whether its conversation is end-to-end encrypted.
    QString partnerLine() const;
    void trustCommand(const QString& name);
    void verifyCommand(QString name);
    void print(const QString& line);
    void refuse(const QString& why);
    void prompt();
    void quit();
    QString paint(const QString& text, const char* sgr) const;

    Session& m_session;
    Messenger& m_messenger;
    MessageLine m_line;
    bool m_interactive;
    QTextStream m_out;
    QSocketNotifier* m_stdin = nullptr;
    QByteArray m_buffer;
    QString m_partner;
    QHash<qint64, QString> m_mine; // my messages still on their way, for status lines
    QList<Message> m_sealed;       // sealed messages not opened yet, oldest first (/open)
    bool m_quitting = false;
    bool m_done = false;
    bool m_refused = false;
};
