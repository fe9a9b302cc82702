#pragma once

#include "textcodec.h"

#include <QAbstractTableModel>
#include <QList>
#include <QString>

#include <optional>

enum class Protocol { IpMsg, PlainText };

struct Contact {
    QString name;
    QString host; // IPv4/IPv6 literal or a host name
    quint16 port = 2425;
    Protocol protocol = Protocol::IpMsg;
    TextEncoding encoding = TextEncoding::Auto; // chosen per peer (PeerDirectory::wireEncoding) unless set

    friend bool operator==(const Contact&, const Contact&) = default;
};

QString protocolName(Protocol protocol);

// The contacts table: name -> host, port, protocol, encoding. A table model for both front ends, kept in a
// human-editable file that is written atomically and never overwritten when it could not be read.
//
// File format (UTF-8), one section per contact, '#' starts a comment:
//   [Alice]
//   host = 192.0.2.7
//   port = 2425
//   protocol = ipmsg        # or: plain
//   encoding = auto         # or: utf-8, gbk, cp932 (auto: chosen per peer, README "Text encodings")
class ContactBook : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, HostColumn, PortColumn, ProtocolColumn, EncodingColumn, ColumnCount };
    enum Role { ContactNameRole = Qt::UserRole + 1, EndpointRole };

    explicit ContactBook(QObject* parent = nullptr);

    // Loads the file (a missing file is an empty book). On failure the book is empty, error() says what is wrong
    // with which file, and save() refuses to overwrite it until the user fixes it or load() succeeds.
    bool load(const QString& path);
    bool save();
    QString path() const { return m_path; }
    QString error() const { return m_error; }
    bool isReadOnly() const { return m_readOnly; }

    // Parses the file format; errors name the line. Pure: used by load() and by the fuzzer.
    static std::optional<QList<Contact>> parse(const QByteArray& text, QString* error);
    static QByteArray serialize(const QList<Contact>& contacts);
    // Empty when the contact may be stored in place of `replacing` (or added, with an empty `replacing`).
    QString validate(const Contact& contact, const QString& replacing = {}) const;
    static QString normalizedName(const QString& name) { return name.simplified(); }
    // "Automatic", "UTF-8", "GBK", "Shift-JIS (CP932)": how the table and the front ends name an encoding.
    static QString encodingLabel(TextEncoding encoding);

    // Each returns an empty string on success, else the reason; successful changes are saved at once.
    QString add(Contact contact);
    QString update(const QString& name, Contact contact);
    QString remove(const QString& name);

    const QList<Contact>& contacts() const { return m_contacts; }
    std::optional<Contact> find(const QString& name) const;
    int indexOf(const QString& name) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void contactAdded(const Contact& contact);
    void contactChanged(const QString& oldName, const Contact& contact);
    void contactRemoved(const QString& name);

private:
    QString m_path;
    QString m_error;
    bool m_readOnly = false;
    QList<Contact> m_contacts;
};
