#pragma once

#include "contactbook.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

// Adds or edits one contact. Says what is wrong with the input as it is typed, and enables OK only when the
// contact can be stored.
class ContactDialog final : public QDialog {
    Q_OBJECT
public:
    // `original` empty: a new contact (fields prefilled from `prefill`); else the name of the contact being edited.
    ContactDialog(const ContactBook& book, const Contact& prefill, const QString& original = {},
                  QWidget* parent = nullptr);

    Contact contact() const;
    // Why the input cannot be stored, empty when it can.
    QString problem() const;

private:
    void validate();

    const ContactBook& m_book;
    QString m_original;
    QLineEdit* m_name;
    QLineEdit* m_host;
    QLineEdit* m_port;
    QComboBox* m_protocol;
    QComboBox* m_encoding;
    QLabel* m_error;
    QDialogButtonBox* m_buttons;
};
