#include "settingsdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

SettingsDialog::SettingsDialog(const QString& nick, const QHostAddress& bind, quint16 port, bool broadcast,
                               bool contactsOnly, QWidget* parent)
    : QDialog(parent)
    , m_nick(new QLineEdit(nick))
    , m_bind(new QLineEdit(bind == QHostAddress(QHostAddress::Any) ? QString() : bind.toString()))
    , m_port(new QSpinBox)
    , m_broadcast(new QCheckBox(tr("Announce me on the LAN (&broadcast)")))
    , m_contactsOnly(new QCheckBox(tr("Only accept messages from &contacts")))
    , m_startAtLogin(new QCheckBox(tr("Start Pigeon when I &log in")))
    , m_startHidden(new QCheckBox(tr("Start &hidden in the system tray")))
    , m_awayAfter(new QSpinBox)
    , m_awayText(new QLineEdit)
    , m_downloads(new QLineEdit)
    , m_autoAccept(new QCheckBox(tr("Accept files from contacts &automatically")))
    , m_autoAcceptMb(new QSpinBox)
    , m_error(new QLabel)
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setWindowTitle(tr("Settings"));
    m_nick->setObjectName(QStringLiteral("nick"));
    m_bind->setObjectName(QStringLiteral("bind"));
    m_port->setObjectName(QStringLiteral("port"));
    m_nick->setMaxLength(64);
    m_nick->setPlaceholderText(tr("The name other IP Messenger users see"));
    m_bind->setPlaceholderText(tr("All addresses"));
    m_port->setRange(1, 65535);
    m_port->setValue(port);
    m_broadcast->setObjectName(QStringLiteral("broadcast"));
    m_contactsOnly->setObjectName(QStringLiteral("contactsOnly"));
    m_broadcast->setChecked(broadcast);
    m_contactsOnly->setChecked(contactsOnly);
    m_startAtLogin->setObjectName(QStringLiteral("startAtLogin"));
    m_startHidden->setObjectName(QStringLiteral("startHidden"));
    QPalette warning = m_error->palette();
    warning.setColor(QPalette::WindowText, QColor(0xe5, 0x39, 0x35));
    m_error->setPalette(warning);
    m_error->setObjectName(QStringLiteral("error"));
    m_error->setWordWrap(true);
    m_error->hide();
    auto* form = new QFormLayout;
    form->addRow(tr("&Nickname:"), m_nick);
    form->addRow(tr("Listen on &address:"), m_bind);
    form->addRow(tr("&Port:"), m_port);
    auto* note = new QLabel(tr("IP Messenger, FeiQ and iptux use port 2425. A second Pigeon on this machine needs "
                               "another port."));
    note->setWordWrap(true);
    auto* broadcastNote = new QLabel(tr("IP Messenger users on the LAN then list you, and you them. Takes effect the "
                                        "next time Pigeon starts."));
    broadcastNote->setWordWrap(true);
    auto* contactsOnlyNote = new QLabel(tr("Messages from anyone else are dropped unread. Takes effect at once."));
    contactsOnlyNote->setWordWrap(true);
    for (QLabel* label : {broadcastNote, contactsOnlyNote})
        label->setForegroundRole(QPalette::PlaceholderText);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addSpacing(8);
    layout->addWidget(m_broadcast);
    layout->addWidget(broadcastNote);
    layout->addWidget(m_contactsOnly);
    layout->addWidget(contactsOnlyNote);
    layout->addSpacing(8);
    layout->addWidget(m_startAtLogin);
    layout->addWidget(m_startHidden);
    layout->addSpacing(8);
    m_awayAfter->setObjectName(QStringLiteral("awayAfter"));
    m_awayAfter->setRange(0, 24 * 60);
    m_awayAfter->setSuffix(tr(" min"));
    m_awayAfter->setSpecialValueText(tr("never"));
    m_awayText->setObjectName(QStringLiteral("awayText"));
    m_awayText->setMaxLength(1000);
    m_awayText->setPlaceholderText(tr("No automatic answer"));
    auto* awayForm = new QFormLayout;
    awayForm->addRow(tr("&Away after no input for:"), m_awayAfter);
    awayForm->addRow(tr("Automatic a&nswer then:"), m_awayText);
    layout->addLayout(awayForm);
    layout->addSpacing(8);
    m_downloads->setObjectName(QStringLiteral("downloads"));
    m_autoAccept->setObjectName(QStringLiteral("autoAccept"));
    m_autoAcceptMb->setObjectName(QStringLiteral("autoAcceptMb"));
    m_autoAcceptMb->setRange(1, 1024 * 1024);
    m_autoAcceptMb->setSuffix(tr(" MB"));
    auto* browse = new QPushButton(tr("B&rowse…"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Download Folder"), m_downloads->text());
        if (!folder.isEmpty())
            m_downloads->setText(folder);
    });
    auto* downloadsRow = new QHBoxLayout;
    downloadsRow->addWidget(m_downloads, 1);
    downloadsRow->addWidget(browse);
    auto* filesForm = new QFormLayout;
    filesForm->addRow(tr("Save received &files in:"), downloadsRow);
    filesForm->addRow(m_autoAccept);
    filesForm->addRow(tr("&Largest file accepted automatically:"), m_autoAcceptMb);
    auto* autoAcceptNote = new QLabel(tr("Offers from people who are not contacts are always asked about."));
    autoAcceptNote->setWordWrap(true);
    autoAcceptNote->setForegroundRole(QPalette::PlaceholderText);
    connect(m_autoAccept, &QCheckBox::toggled, m_autoAcceptMb, &QWidget::setEnabled);
    layout->addLayout(filesForm);
    layout->addWidget(autoAcceptNote);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_bind, &QLineEdit::textChanged, this, &SettingsDialog::validate);
    setMinimumWidth(400);
}

QString SettingsDialog::nick() const
{
    return m_nick->text().trimmed();
}

QHostAddress SettingsDialog::bindAddress() const
{
    const QString text = m_bind->text().trimmed();
    return text.isEmpty() ? QHostAddress(QHostAddress::Any) : QHostAddress(text);
}

quint16 SettingsDialog::port() const
{
    return quint16(m_port->value());
}

bool SettingsDialog::broadcast() const
{
    return m_broadcast->isChecked();
}

bool SettingsDialog::contactsOnly() const
{
    return m_contactsOnly->isChecked();
}

void SettingsDialog::setStartup(bool atLogin, bool hidden, bool trayAvailable)
{
    m_startAtLogin->setChecked(atLogin);
    m_startHidden->setChecked(hidden && trayAvailable);
    m_startHidden->setEnabled(trayAvailable);
    if (!trayAvailable)
        m_startHidden->setToolTip(tr("This desktop has no system tray."));
}

bool SettingsDialog::startAtLogin() const
{
    return m_startAtLogin->isChecked();
}

bool SettingsDialog::startHidden() const
{
    return m_startHidden->isChecked();
}

void SettingsDialog::validate()
{
    const bool ok = !bindAddress().isNull();
    m_error->setText(ok ? QString() : tr("\"%1\" is not an IP address.").arg(m_bind->text().trimmed()));
    m_error->setVisible(!ok);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
}

void SettingsDialog::accept()
{
    if (m_apply) {
        if (const QString why = m_apply(); !why.isEmpty()) {
            m_error->setText(why);
            m_error->show();
            return;
        }
    }
    QDialog::accept();
}

void SettingsDialog::setAutoAway(int minutes, const QString& text)
{
    m_awayAfter->setValue(minutes);
    m_awayText->setText(text);
}

int SettingsDialog::awayAfterMinutes() const
{
    return m_awayAfter->value();
}

QString SettingsDialog::idleAwayText() const
{
    return m_awayText->text().trimmed();
}

void SettingsDialog::setFiles(const QString& downloads, bool autoAccept, quint64 maxBytes)
{
    m_downloads->setText(downloads);
    m_autoAccept->setChecked(autoAccept);
    m_autoAcceptMb->setValue(int(std::clamp<quint64>((maxBytes + (1u << 20) - 1) >> 20, 1, 1024 * 1024)));
    m_autoAcceptMb->setEnabled(autoAccept);
}

QString SettingsDialog::downloadFolder() const
{
    return m_downloads->text().trimmed();
}

bool SettingsDialog::autoAcceptFiles() const
{
    return m_autoAccept->isChecked();
}

quint64 SettingsDialog::autoAcceptMaxBytes() const
{
    return quint64(m_autoAcceptMb->value()) << 20;
}
