#pragma once

#include "ipmsg.h"
#include "ipmsgfilewire.h"
#include "messenger.h"
#include "transfers.h"
#include "transferstore.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTimer>

#include <memory>

class QTcpSocket;
class FileSink;

// Files and folders with IP Messenger, FeiQ and iptux (issue 11), over their own protocol (ipmsgfilewire.h): the
// offer is a SENDMSG with FILEATTACHOPT, the bytes go over TCP to the sender's IPMsg port. Pigeon peers never get
// this (Transfers sends them datagrams). Part of Transfers: its transfers are in the same table and shown through the
// same Info, offered/changed/finished signals, and ids.
//
// Receiving: each attachment of an offer is one transfer; accepting it connects to the sender's address and IPMsg
// port and asks with GETFILEDATA (a file, from an offset when resuming) or GETDIRFILES (a folder, a header stream).
// Bytes go through a FileSink (temporary name, size check, fsync, rename without overwriting); every name is checked
// by safename and stays under the download folder. A file whose connection broke is asked again from what is on disk
// (iptux 0.8.3 ignores the offset and sends from 0: SendFileData::SendRegularFile; the write then starts over).
// Sending: the TCP server listens on the UDP socket's address and port only while an offer is outstanding and
// answers only requests for a packet number and file ID offered to the connecting address.
class IpmsgTransfers : public QObject {
    Q_OBJECT
public:
    // Bounds: idle time of a connection before it is given up (ms), connections served at once, times a broken file
    // is asked again, times an offer is sent while no RECVMSG comes and how far apart (ms).
    struct Limits {
        qint64 idleMs = 30'000;
        int maxConnections = 8;
        int resumes = 3;
        int offerSends = 4;
        qint64 offerRepeatMs = 1000;
    };

    IpmsgTransfers(Messenger* messenger, const QSqlDatabase& db, QObject* parent = nullptr);
    ~IpmsgTransfers() override;

    // Whether a stored transfer is one of these (manifest_sha is "ipmsg", manifest "ipmsg:" and the offer's numbers:
    // packet number, file ID, kind, UTF-8).
    static bool isIpmsg(const TransferRecord& record);

    void setDownloadFolder(const QString& folder) { m_downloads = folder; }
    void setAutoAccept(bool on, quint64 maxBytes);
    void setLimits(const Limits& limits) { m_limits = limits; }
    // Incoming transfers that were moving ask for the rest; outgoing offers from before a restart are over (the
    // TCP side forgot them).
    void start(const QList<TransferRecord>& unfinished);
    void stop();

    bool owns(quint64 id) const { return m_items.contains(id); }
    quint64 offer(const Messenger::Route& route, const QString& path, QString* error);
    bool accept(quint64 id, QString* error, const QString& folder);
    bool decline(quint64 id);
    bool cancel(quint64 id);
    QList<Transfers::Info> transfers() const;
    std::optional<Transfers::Info> info(quint64 id) const;
    // The transfers in memory with `from` are with `to` now (the rows are renamed by Transfers).
    void renamePeer(const QString& from, const QString& to);
    // The port the TCP side listens on, 0 when it does not.
    quint16 listeningPort() const { return m_server.isListening() ? m_server.serverPort() : 0; }

Q_SIGNALS:
    void offered(const Transfers::Info& info);
    void changed(const Transfers::Info& info);
    void finished(const Transfers::Info& info);

private:
    struct Item;
    struct Serving;
    void onPacket(const ipmsg::Packet& packet, const Endpoint& from);
    void onOffer(const ipmsg::Packet& packet, const Endpoint& from);
    void onReleased(quint64 packetNo, const Endpoint& from);
    void sendOffer(Item& item);
    void fetch(Item& item);
    void onFetchData(Item& item);
    bool takeHeaders(Item& item, QString* error);
    void onFetchClosed(Item& item);
    void complete(Item& item);
    void fail(Item& item, const QString& why);
    void end(Item& item, TransferState state, const QString& error = {});
    void persist(Item& item);
    bool ensureListening(QString* error);
    void onConnection();
    void onRequest(Serving& s);
    void pumpServing(Serving& s);
    void dropServing(Serving* s);
    void tick();
    void notify(Item& item, bool force);
    Transfers::Info infoOf(const Item& item) const;
    qint64 now() const { return m_clock.elapsed(); }
    QString decodeName(const QByteArray& name, bool utf8, const Endpoint& from) const;

    Messenger* m_messenger;
    TransferStore m_store;
    QString m_downloads;
    Limits m_limits;
    bool m_autoAccept = false;
    quint64 m_autoMaxBytes = 0;
    QHash<quint64, Item*> m_items;
    QList<Serving*> m_serving;
    QTcpServer m_server;
    QTimer m_timer;
    QElapsedTimer m_clock;
};
