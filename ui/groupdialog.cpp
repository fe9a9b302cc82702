#include "groupdialog.h"

#include "roster.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

GroupDialog::GroupDialog(const QStringList& contacts, QWidget* parent)
    : QDialog(parent)
    , m_name(new QLineEdit(this))
    , m_contacts(new QListWidget(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("New Group"));
    m_name->setPlaceholderText(tr("for example: Lab 3"));
    m_name->setMaxLength(64);
    for (const QString& contact : contacts) {
        auto* item = new QListWidgetItem(contact, m_contacts);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Unchecked);
    }
    auto* form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    auto* members = new QLabel(tr("&Members (at most %1):").arg(Roster::MaxMembers - 1), this);
    members->setBuddy(m_contacts);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(members);
    layout->addWidget(m_contacts);
    layout->addWidget(m_buttons);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Create"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textChanged, this, &GroupDialog::updateOk);
    connect(m_contacts, &QListWidget::itemChanged, this, &GroupDialog::updateOk);
    updateOk();
}

QString GroupDialog::name() const
{
    return m_name->text().simplified();
}

QStringList GroupDialog::members() const
{
    QStringList out;
    for (int i = 0; i < m_contacts->count(); ++i)
        if (m_contacts->item(i)->checkState() == Qt::Checked)
            out.append(m_contacts->item(i)->text());
    return out;
}

void GroupDialog::updateOk()
{
    const qsizetype ticked = members().size();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!name().isEmpty() && ticked > 0 && ticked < Roster::MaxMembers);
}
