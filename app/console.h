#pragma once

#include "consoleoutput.h"
#include "consoletransfers.h"
#include "messageline.h"
#include "session.h"

#include <QMap>
#include <QObject>
#include <QSet>
#include <QSocketNotifier>

// The terminal front end: prints who wrote (colored, with their address) and sends what is typed. Reads standard
// input through the event loop, so a message arriving while someone types is printed at once, and a pipe or a
// file works as well as a keyboard.
class Console : public QObject {
    Q_OBJECT
public:
    // The exit code when some input line was refused (a message over the limit, an unknown command...), so that a
    // script piping lines in can tell.
    static constexpr int RefusedInputExit = 3;
    // Messages one /retry sends again at most.
    static constexpr int MaxRetried = 1000;

    Console(Session& session, bool color, QObject* parent = nullptr);
    void start();

Q_SIGNALS:
    void finished(int exitCode);

private:
    void readInput();
    void handleLine(const QString& line);
    void command(const QString& line);
    // /search TEXT: the newest matches in every conversation.
    void search(const QString& text);
    // How presence lines name a peer: a contact's name, or a stranger's claimed nickname with '?' and its address.
    QString presenceName(const QString& peer) const;
    // /away, /busy and /back.
    void setStatus(const QString& verb, const QString& text);
    // Says what this Pigeon's own status is (after a change, and at start when a kept one is not Online).
    void printOwnStatus();
    // Numbers the sealed messages the history keeps unopened that m_sealed lacks (those of an earlier run), so that
    // /open finds them after a restart.
    void findSealed();
    // " away “TEXT”" after a contact in /contacts; empty when online.
    QString statusWords(const PeerStatus& status) const;
    // The presence line printed when a peer's status changes: "* Bob is away: at lunch", "* Bob is back".
    QString statusLine(const QString& peer, const PeerStatus& status) const;
    // A note (not a stored message) for the terminal; dropped and counted when the terminal does not keep up.
    // /retry: the failed messages to the current partner that hold its queue (History::failureHoldingQueue), oldest
    // first, at most MaxRetried.
    void retryFailed();
    // /group, /groups and the delivery of group messages (consolegroups.cpp).
    void groupCommand(const QStringList& words);
    void listGroups();
    void printGroupDelivery(qint64 id, MessageState state);
    // The partner and whether its conversation is end-to-end encrypted.
    QString partnerLine() const;
    void trustCommand(const QString& name);
    void verifyCommand(QString name);
    // A message of a group conversation as MessageLine::formatGroup shows it, the sender named as memberName() does
    // (a member that is no contact with a '?'); empty for a message of no group.
    QString groupLine(const Message& m, const QString& timeFormat, const QList<search::Span>& marks = {}) const;
    void print(const QString& line);
    // `line` as written to the terminal: on a terminal the prompt is cleared before it and drawn again after it.
    QByteArray decorated(const QString& line) const;
    QString promptText() const;
    // How a received message is shown: a sealed one that was not opened yet only says that it is there.
    QString shown(const Message& m) const;
    void refuse(const QString& why);
    void prompt();
    void quit();
    QString paint(const QString& text, const char* sgr) const;

    Session& m_session;
    Messenger& m_messenger;
    MessageLine m_line;
    bool m_interactive;
    ConsoleOutput* m_output = nullptr;
    QSocketNotifier* m_stdin = nullptr;
    QByteArray m_buffer;
    QString m_partner;
    QHash<qint64, QString> m_mine;             // my messages still on their way, for status lines
    QHash<qint64, QSet<QString>> m_waitingFor; // of my group messages on their way: members told to be waited for
    QMap<int, Message> m_sealed; // sealed messages not opened yet by the number shown (/open N), oldest first
    int m_sealedCount = 0;       // the number of the last one
    bool m_quitting = false;
    bool m_done = false;
    bool m_refused = false;
    bool m_waitingForOutput = false;
    ConsoleTransfers* m_files = nullptr;
};
