#pragma once

#include "endpoint.h"
#include "filewire.h"
#include "offerpreparation.h"
#include "sendwindow.h"
#include "transferstore.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <memory>

class Messenger;
class History;
class IpmsgTransfers;

// Files, folders and pictures between Pigeons (issue 10): the engine's file payload kind. A transfer is offered,
// accepted (by the user, or automatically from a contact when allowed), moves as a stream of PigeonFile datagrams
// (filewire.h) paced by a SendWindow (SACK, AIMD congestion control, RFC 6298 RTO), is written under a temporary
// name by a FileSink, checked, and renamed. Progress lives in the history database (TransferStore), so a restart of
// either side resumes from what is on the receiver's disk. Datagrams go through the Messenger (and so through
// whatever layer is under it, such as encryption); only peers the engine knows as Pigeons are offered files this way.
// IP Messenger, FeiQ and iptux get their own protocol (IpmsgTransfers, issue 11) behind the same functions and signals.
// Memory does not grow with file size: bytes go from the disk to a datagram and from a datagram to the disk.
class Transfers : public QObject {
    Q_OBJECT
public:
    // What the front ends show of one transfer.
    struct Info {
        quint64 id = 0;
        bool outgoing = false;
        QString peer;
        QString name;
        quint64 totalBytes = 0;
        quint32 files = 0;
        TransferState state = TransferState::Offered;
        quint64 doneBytes = 0;     // of totalBytes
        double bytesPerSecond = 0; // over the last second or so
        QString saved;             // done, incoming: the final path
        QString error;             // failed: why
        QString source;            // outgoing: the local file or folder offered
        qint64 timeMs = 0;         // when it was offered, ms since the epoch (UTC)
    };
    // Bounds on offers waiting for the user: per peer and in all (a flood of offers costs a table row each).
    static constexpr int MaxWaitingPerPeer = 16;
    static constexpr int MaxWaiting = 64;

    Transfers(Messenger* messenger, History* history, QObject* parent = nullptr);
    ~Transfers() override;

    // Where accepted files go (created when needed); by default the user's download folder + "/Pigeon".
    void setDownloadFolder(const QString& folder);
    QString downloadFolder() const { return m_downloads; }
    // Accept offers from contacts of at most `maxBytes` without asking; never from strangers. Off by default.
    void setAutoAccept(bool on, quint64 maxBytes = std::numeric_limits<quint64>::max());
    bool autoAccept() const { return m_autoAccept; }
    quint64 autoAcceptMaxBytes() const { return m_autoMaxBytes; }
    void setTiming(const SendWindow::Timing& timing);

    // Resumes the transfers the database holds as unfinished: outgoing ones offer again, incoming ones that were
    // moving ask for the rest.
    void start();
    // Records progress (after flushing written data) so that a restart resumes from it.
    void stop();

    // Offers the file or folder at `path` to `peer` (a Pigeon, or an IP Messenger-family client, which gets the offer
    // over its own protocol: ipmsgtransfers.h); returns the transfer's id, or 0 with *error. A Pigeon's offer is
    // Preparing first: its files are listed and hashed (SHA-256, reading them once) on a worker thread, with progress
    // in changed() (doneBytes of totalBytes hashed), and it goes out when that is done, or fails with the reason (a
    // file unreadable, changed or deleted meanwhile). cancel() stops it; it is stored only once prepared.
    quint64 offer(const QString& peer, const QString& path, QString* error = nullptr);
    // Accepts an incoming offer into `folder` (empty: the download folder); false with *error when it is no
    // waiting offer, or the folder lacks the space.
    bool accept(quint64 id, QString* error = nullptr, const QString& folder = {});
    bool decline(quint64 id);
    // Stops a transfer in either direction; the other side is told.
    bool cancel(quint64 id);

    QList<Info> transfers() const;
    std::optional<Info> info(quint64 id) const;
    // The newest `limit` transfers with `peer` (a contact's name or "address:port"), also finished ones of earlier
    // runs, oldest first: what a conversation's thread shows.
    QList<Info> transfersWith(const QString& peer, int limit = 200);

Q_SIGNALS:
    // A peer offers something (the user may accept or decline it).
    void offered(const Transfers::Info& info);
    // State or progress changed (progress at most a few times a second).
    void changed(const Transfers::Info& info);
    // Done, failed, declined or cancelled.
    void finished(const Transfers::Info& info);

private:
    struct Transfer;
    void prepared(quint64 id, const OfferPreparation::Result& result);
    void onPeerRenamed(const QString& from, const QString& to);
    void onPayload(QByteArrayView payload, const Endpoint& from);
    void onOffer(const filewire::Offer& offer, const Endpoint& from);
    void onAccept(Transfer& t, const filewire::Accept& accept);
    void onData(Transfer& t, const filewire::DataView& data);
    void onSack(Transfer& t, const filewire::Sack& sack);
    void onCancel(Transfer& t, const filewire::Cancel& cancel);
    // An Accept from where the receiver is, after the largest chunk it takes (filewire::ChunkSize).
    void sendAccept(Transfer& t);
    void sendSack(Transfer& t);
    void flushSacks();
    Transfer* find(quint64 id, bool outgoing, const Endpoint& from);
    void send(const Transfer& t, const filewire::Payload& payload);
    void sendOffer(Transfer& t);
    void pump(Transfer& t);
    // Reads `length` stream bytes at `offset` into `out`.
    bool readChunk(Transfer& t, quint64 offset, quint32 length, char* out, QString* error);
    bool manifestArrived(Transfer& t, QString* error);
    void complete(Transfer& t);
    void fail(Transfer& t, filewire::Reason reason, const QString& why, bool tellPeer = true);
    void end(Transfer& t, TransferState state, const QString& error = {});
    void persist(Transfer& t);
    void tick();
    void arm();
    void notify(Transfer& t, bool force);
    Info infoOf(const Transfer& t) const;
    static Info infoOf(const TransferRecord& r);
    qint64 now() const { return m_clock.elapsed(); }

    Messenger* m_messenger;
    TransferStore m_store;
    QString m_downloads;
    SendWindow::Timing m_timing;
    bool m_autoAccept = false;
    quint64 m_autoMaxBytes = 0;
    QHash<std::pair<quint64, bool>, Transfer*> m_transfers; // by (id, outgoing)
    QHash<quint64, qint64> m_unknownAnswered;               // ids answered with Cancel(Unknown), and when
    QThreadPool m_hashing;                                  // prepares offers (OfferPreparation)
    QTimer m_timer;
    QTimer m_sackTimer; // 0 ms: acknowledges what one pass of the event loop received (delayed SACK)
    QElapsedTimer m_clock;
    std::unique_ptr<IpmsgTransfers> m_ipmsg; // files with IP Messenger, FeiQ and iptux
};

Q_DECLARE_METATYPE(Transfers::Info)
