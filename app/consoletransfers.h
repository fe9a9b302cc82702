#pragma once

#include "transfers.h"

#include <QObject>
#include <QSet>

#include <functional>

// The console's file commands over Transfers: /send PATH, /accept [N], /decline [N], /transfers, /cancel N. Transfers
// are numbered 1, 2, 3... in the order this console saw them; N defaults to the newest waiting offer. Offers, ends
// and where a file was saved are printed as they happen; an offer of /send is first prepared (hashed), then offered.
// Names from peers are printed printable only.
class ConsoleTransfers : public QObject {
    Q_OBJECT
public:
    using Print = std::function<void(const QString& line, const char* sgr)>;
    using Refuse = std::function<void(const QString& why)>;

    ConsoleTransfers(Transfers* transfers, Print print, Refuse refuse, QObject* parent = nullptr);

    // Runs `line` if its verb is a file command; false if it is none. `partner` is whom /send sends to.
    bool command(const QString& verb, const QString& line, const QString& partner);
    // The lines /help adds.
    static QString help();

private:
    int numberOf(quint64 id);
    // The transfer a command's N names (the newest waiting offer without N); 0 with the reason refused.
    quint64 pick(const QString& argument, bool waitingOffer);
    QString describe(const Transfers::Info& info);

    Transfers* m_transfers;
    Print m_print;
    Refuse m_refuse;
    QList<quint64> m_numbers;  // m_numbers[N - 1] is transfer N's id
    QSet<quint64> m_preparing; // /send's offers still hashed: "offered" is printed when they go out
};
