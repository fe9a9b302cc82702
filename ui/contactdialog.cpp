#include "contactdialog.h"

#include "endpoint.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHostAddress>
#include <QHostInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

ContactDialog::ContactDialog(const ContactBook& book, const Contact& prefill, const QString& original, QWidget* parent)
    : QDialog(parent)
    , m_book(book)
    , m_original(original)
    , m_name(new QLineEdit(prefill.name))
    , m_host(new QLineEdit(prefill.host))
    , m_port(new QLineEdit(QString::number(prefill.port)))
    , m_protocol(new QComboBox)
    , m_encoding(new QComboBox)
    , m_error(new QLabel)
    , m_warning(new QLabel)
    , m_fingerprint(new QLabel(this))
    , m_verified(new QCheckBox(tr("Mark as &verified"), this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setWindowTitle(original.isEmpty() ? tr("Add Contact") : tr("Edit Contact"));
    m_name->setObjectName(QStringLiteral("name"));
    m_host->setObjectName(QStringLiteral("host"));
    m_port->setObjectName(QStringLiteral("port"));
    m_error->setObjectName(QStringLiteral("error"));
    m_warning->setObjectName(QStringLiteral("warning"));
    m_protocol->setObjectName(QStringLiteral("protocol"));
    m_encoding->setObjectName(QStringLiteral("encoding"));
    m_warning->setWordWrap(true);
    QPalette caution = m_warning->palette();
    caution.setColor(QPalette::WindowText, QColor(0xc7, 0x7c, 0x02));
    m_warning->setPalette(caution);
    m_warning->hide();
    m_name->setPlaceholderText(tr("How you call this person"));
    m_host->setPlaceholderText(tr("IP address or host name, e.g. 192.168.1.20"));
    m_port->setPlaceholderText(QStringLiteral("2425"));
    m_protocol->addItem(tr("IP Messenger (IPMsg, FeiQ, iptux, Pigeon)"), int(Protocol::IpMsg));
    m_protocol->addItem(tr("Plain text datagrams"), int(Protocol::PlainText));
    m_protocol->setCurrentIndex(m_protocol->findData(int(prefill.protocol)));
    m_encoding->setObjectName(QStringLiteral("encoding"));
    m_encoding->addItem(tr("Automatic (what the peer announces)"), int(TextEncoding::Auto));
    m_encoding->addItem(tr("UTF-8"), int(TextEncoding::Utf8));
    m_encoding->addItem(tr("GBK (FeiQ, older clients)"), int(TextEncoding::Gbk));
    m_encoding->addItem(tr("Shift-JIS (CP932, Japanese IP Messenger)"), int(TextEncoding::Cp932));
    m_encoding->setCurrentIndex(m_encoding->findData(int(prefill.encoding)));
    m_error->setWordWrap(true);
    QPalette warning = m_error->palette();
    warning.setColor(QPalette::WindowText, QColor(0xe5, 0x39, 0x35));
    m_error->setPalette(warning);

    auto* form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Host:"), m_host);
    form->addRow(tr("&Port:"), m_port);
    form->addRow(tr("P&rotocol:"), m_protocol);
    form->addRow(tr("&Encoding:"), m_encoding);
    m_fingerprint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fingerprint->setWordWrap(true);
    m_fingerprint->setObjectName(QStringLiteral("fingerprint"));
    m_verified->setObjectName(QStringLiteral("verified"));
    // An existing contact's key fingerprint, to compare with the person (showKey()).
    // A new contact has no key yet: both stay hidden children, so that the dialog still owns them.
    if (!original.isEmpty()) {
        form->addRow(tr("Key fingerprint:"), m_fingerprint);
        form->addRow(QString(), m_verified);
    } else {
        m_fingerprint->hide();
        m_verified->hide();
    }
    m_verified->setEnabled(false);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_warning);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QLineEdit* edit : {m_name, m_host, m_port}) {
        connect(edit, &QLineEdit::textChanged, this, &ContactDialog::validate);
        connect(edit, &QLineEdit::textEdited, this, [this] { m_touched = true; });
    }
    m_lookupDelay.setSingleShot(true);
    m_lookupDelay.setInterval(400);
    connect(&m_lookupDelay, &QTimer::timeout, this, &ContactDialog::lookUpHost);
    connect(m_host, &QLineEdit::textChanged, this, [this] {
        m_warning->hide();
        m_lookupDelay.start();
    });
    // A prefilled name (what a stranger calls itself) is selected: typing replaces it.
    m_name->selectAll();
    validate();
    if (!m_host->text().isEmpty())
        m_lookupDelay.start();
    setMinimumWidth(420);
}

Contact ContactDialog::contact() const
{
    Contact c;
    c.name = ContactBook::normalizedName(m_name->text());
    c.host = m_host->text().trimmed();
    c.port = parsePort(m_port->text()).value_or(0);
    c.protocol = Protocol(m_protocol->currentData().toInt());
    c.encoding = TextEncoding(m_encoding->currentData().toInt());
    return c;
}

void ContactDialog::showKey(const Messenger::Security& security, const QString& own)
{
    if (security.fingerprint.isEmpty()) {
        m_fingerprint->setText(tr("not known: this contact does not encrypt, or was not heard from yet"));
        return;
    }
    QString text = tr("%1\nYours: %2").arg(security.fingerprint, own);
    if (security.keyChanged)
        text = tr("%1\nNew, not trusted: %2\nYours: %3").arg(security.fingerprint, security.newFingerprint, own);
    m_fingerprint->setText(text);
    m_fingerprint->setToolTip(tr("Compare these digits with the person, aloud or side by side; if they match, mark "
                                 "the contact as verified."));
    m_verified->setChecked(security.verified);
    m_verified->setEnabled(!security.keyChanged);
}

bool ContactDialog::markedVerified() const
{
    return m_verified->isChecked();
}

QString ContactDialog::problem() const
{
    const QString portText = m_port->text().trimmed();
    const bool isNumber =
        !portText.isEmpty() && std::all_of(portText.cbegin(), portText.cend(), [](QChar c) { return c.isDigit(); });
    // The name and host first, whatever the port says; the port gets its own, more precise message.
    Contact probe = contact();
    probe.port = 1;
    if (const QString why = m_book.validate(probe, m_original); !why.isEmpty())
        return why;
    if (!isNumber)
        return tr("The port must be a number.");
    const auto port = parsePort(portText);
    if (!port)
        return tr("The port %1 is out of range: use 1 to 65535.").arg(portText);
    // What depends on the port too: another contact at the same address:port, or this Pigeon itself.
    probe.port = *port;
    if (const QString why = m_book.validate(probe, m_original); !why.isEmpty())
        return why;
    if (QHostAddress address; m_isOwn && address.setAddress(probe.host.trimmed()) && m_isOwn({address, *port}))
        return tr("%1 is this Pigeon itself: it cannot be a contact.").arg(Endpoint{address, *port}.toString());
    return {};
}

void ContactDialog::setOwnEndpoint(std::function<bool(const Endpoint&)> isOwn)
{
    m_isOwn = std::move(isOwn);
    validate();
}

void ContactDialog::validate()
{
    const QString why = problem();
    // No complaint about what the user has not typed yet in a new form (an empty name under a prefilled address).
    const bool pristine = m_original.isEmpty() && !m_touched;
    m_error->setText(pristine ? QString() : why);
    m_error->setVisible(!why.isEmpty() && !pristine);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(why.isEmpty());
}

void ContactDialog::lookUpHost()
{
    const QString host = m_host->text().trimmed();
    if (m_lookup >= 0)
        QHostInfo::abortHostLookup(m_lookup);
    m_lookup = -1;
    if (host.isEmpty() || !QHostAddress(host).isNull() || !problem().isEmpty())
        return;
    m_lookup = QHostInfo::lookupHost(host, this, [this, host](const QHostInfo& info) {
        m_lookup = -1;
        if (host != m_host->text().trimmed() || (info.error() == QHostInfo::NoError && !info.addresses().isEmpty()))
            return;
        m_warning->setText(tr("The host name %1 does not resolve now (%2). You can add the contact; messages to it "
                              "fail until the name resolves.")
                               .arg(host, info.errorString()));
        m_warning->show();
    });
}
