#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLineEdit;
class QListWidget;

// New Group…: a name and the contacts to invite, ticked in a list. The caller makes the group
// (Messenger::createGroup) with what it gives.
class GroupDialog final : public QDialog {
    Q_OBJECT
public:
    // `contacts`: the names to offer, in the order shown.
    GroupDialog(const QStringList& contacts, QWidget* parent = nullptr);

    QString name() const;
    // The contacts ticked, in the order shown.
    QStringList members() const;
    QLineEdit* nameEdit() const { return m_name; }
    QListWidget* contactList() const { return m_contacts; }

private:
    void updateOk();

    QLineEdit* m_name;
    QListWidget* m_contacts;
    QDialogButtonBox* m_buttons;
};
