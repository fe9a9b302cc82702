#include "consoletransfers.h"

#include "messageline.h"
#include "textcodec.h"

#include <QLocale>

namespace {

QString size(quint64 bytes)
{
    return QLocale::system().formattedDataSize(qint64(bytes), 1, QLocale::DataSizeTraditionalFormat);
}

} // namespace

ConsoleTransfers::ConsoleTransfers(Transfers* transfers, Print print, Refuse refuse, QObject* parent)
    : QObject(parent)
    , m_transfers(transfers)
    , m_print(std::move(print))
    , m_refuse(std::move(refuse))
{
    connect(m_transfers, &Transfers::offered, this, [this](const Transfers::Info& i) {
        const int n = numberOf(i.id);
        m_print(tr("* [%1] %2 offers %3 (%4, %n file(s)): /accept %1 or /decline %1", nullptr, int(i.files))
                    .arg(n)
                    .arg(textcodec::printable(i.peer), textcodec::printable(i.name), size(i.totalBytes)),
                MessageLine::Yellow);
    });
    connect(m_transfers, &Transfers::changed, this, [this](const Transfers::Info& i) {
        // One of /send's offers is prepared: it goes out now.
        if (i.state != TransferState::Preparing && m_preparing.remove(i.id) && i.state == TransferState::Offered)
            m_print(tr("* [%1] offered %2 to %3").arg(numberOf(i.id)).arg(i.source, i.peer), MessageLine::Dim);
    });
    connect(m_transfers, &Transfers::finished, this, [this](const Transfers::Info& i) {
        m_preparing.remove(i.id);
        const int n = numberOf(i.id);
        const QString name = textcodec::printable(i.name);
        switch (i.state) {
        case TransferState::Done:
            if (i.outgoing)
                m_print(tr("* [%1] %2 received %3").arg(n).arg(textcodec::printable(i.peer), name), MessageLine::Green);
            else
                m_print(tr("* [%1] %2 saved as %3").arg(n).arg(name, i.saved), MessageLine::Green);
            break;
        case TransferState::Declined: m_print(tr("* [%1] %2 declined").arg(n).arg(name), MessageLine::Yellow); break;
        case TransferState::Cancelled: m_print(tr("* [%1] %2 cancelled").arg(n).arg(name), MessageLine::Yellow); break;
        default:
            m_print(tr("* [%1] %2 failed: %3").arg(n).arg(name, textcodec::printable(i.error)), MessageLine::Red);
            break;
        }
    });
}

int ConsoleTransfers::numberOf(quint64 id)
{
    qsizetype at = m_numbers.indexOf(id);
    if (at < 0) {
        m_numbers.append(id);
        at = m_numbers.size() - 1;
    }
    return int(at + 1);
}

quint64 ConsoleTransfers::pick(const QString& argument, bool waitingOffer)
{
    if (argument.isEmpty()) {
        if (waitingOffer) {
            for (qsizetype i = m_numbers.size() - 1; i >= 0; --i) {
                const auto info = m_transfers->info(m_numbers[i]);
                if (info && !info->outgoing && info->state == TransferState::Offered)
                    return m_numbers[i];
            }
        }
        m_refuse(waitingOffer ? tr("No offer is waiting.") : tr("Which transfer? /transfers lists them."));
        return 0;
    }
    bool ok = false;
    const int n = argument.toInt(&ok);
    if (!ok || n < 1 || n > m_numbers.size()) {
        m_refuse(tr("There is no transfer %1; /transfers lists them.").arg(argument));
        return 0;
    }
    return m_numbers[n - 1];
}

QString ConsoleTransfers::describe(const Transfers::Info& i)
{
    QString line = tr("  [%1] %2 %3 %4  %5 (%n file(s))  %6", nullptr, int(i.files))
                       .arg(numberOf(i.id))
                       .arg(i.outgoing ? QStringLiteral("->") : QStringLiteral("<-"), textcodec::printable(i.peer),
                            textcodec::printable(i.name), size(i.totalBytes), transferStateName(i.state));
    if (i.state == TransferState::Preparing) {
        const int percent = i.totalBytes ? int(i.doneBytes * 100 / i.totalBytes) : 0;
        line += tr(", hashing %1 %").arg(percent);
    } else if (i.state == TransferState::Moving) {
        const int percent = i.totalBytes ? int(i.doneBytes * 100 / i.totalBytes) : 100;
        line += tr(" %1 %  %2/s").arg(percent).arg(size(quint64(i.bytesPerSecond)));
    } else if (i.state == TransferState::Done && !i.outgoing) {
        line += u' ' + i.saved;
    } else if (i.state == TransferState::Failed) {
        line += QStringLiteral(": ") + textcodec::printable(i.error);
    }
    return line;
}

bool ConsoleTransfers::command(const QString& verb, const QString& line, const QString& partner)
{
    const QString argument = line.section(u' ', 1).trimmed();
    if (verb == u"/send") {
        if (partner.isEmpty()) {
            m_refuse(tr("No one to send to yet: pick someone with /to NAME."));
        } else if (argument.isEmpty()) {
            m_refuse(tr("Usage: /send PATH (a file or a folder)"));
        } else {
            QString error;
            const quint64 id = m_transfers->offer(partner, argument, &error);
            if (!id) {
                m_refuse(error);
            } else if (m_transfers->info(id).value_or(Transfers::Info{}).state == TransferState::Preparing) {
                m_preparing.insert(id);
                m_print(tr("* [%1] preparing %2 for %3 (reading it once to hash it; /transfers shows how far, "
                           "/cancel %1 stops it)")
                            .arg(numberOf(id))
                            .arg(argument, partner),
                        MessageLine::Dim);
            } else {
                m_print(tr("* [%1] offered %2 to %3").arg(numberOf(id)).arg(argument, partner), MessageLine::Dim);
            }
        }
    } else if (verb == u"/accept") {
        if (const quint64 id = pick(argument, true)) {
            QString error;
            if (!m_transfers->accept(id, &error))
                m_refuse(error);
            else
                m_print(tr("* [%1] accepted into %2").arg(numberOf(id)).arg(m_transfers->downloadFolder()),
                        MessageLine::Dim);
        }
    } else if (verb == u"/decline") {
        if (const quint64 id = pick(argument, true); id && !m_transfers->decline(id))
            m_refuse(tr("Transfer %1 is no waiting offer.").arg(numberOf(id)));
    } else if (verb == u"/cancel") {
        if (const quint64 id = pick(argument, false); id && !m_transfers->cancel(id))
            m_refuse(tr("Transfer %1 is over already.").arg(numberOf(id)));
    } else if (verb == u"/transfers") {
        const QList<Transfers::Info> all = m_transfers->transfers();
        if (all.isEmpty())
            m_print(tr("No transfers yet. /send PATH offers a file or a folder."), nullptr);
        for (const Transfers::Info& i : all)
            m_print(describe(i), nullptr);
    } else {
        return false;
    }
    return true;
}

QString ConsoleTransfers::help()
{
    return tr("  /send PATH           offer a file or a folder to the current partner\n"
              "  /accept [N]          accept offer N (the newest without N) into the download folder\n"
              "  /decline [N]         decline offer N\n"
              "  /transfers           list transfers with progress, rate and state\n"
              "  /cancel N            stop transfer N");
}
