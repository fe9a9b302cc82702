#pragma once

#include "contactbook.h"
#include "messenger.h"

#include <QDialog>
#include <QTimer>

#include <functional>

class QCheckBox;
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
    // Shows the contact's key fingerprint next to this profile's (`own`) to compare aloud, with "Mark as verified"
    // (issue 13). Without a pinned key it says the contact does not encrypt (yet).
    void showKey(const Messenger::Security& security, const QString& own);
    // Whether "Mark as verified" is ticked.
    bool markedVerified() const;
    // Refuses an address:port for which `isOwn` is true: this Pigeon's own socket (Messenger::isOwnEndpoint), which
    // only the engine knows. Host names are not looked up for it.
    void setOwnEndpoint(std::function<bool(const Endpoint&)> isOwn);

private:
    void validate();
    void lookUpHost();

    const ContactBook& m_book;
    QString m_original;
    QLineEdit* m_name;
    QLineEdit* m_host;
    QLineEdit* m_port;
    QComboBox* m_protocol;
    QComboBox* m_encoding;
    QLabel* m_error;
    QLabel* m_warning;
    QLabel* m_fingerprint;
    QCheckBox* m_verified;
    bool m_touched = false; // the user has typed: from then on, every problem is said
    int m_lookup = -1;      // the QHostInfo lookup under way
    QDialogButtonBox* m_buttons;
    QTimer m_lookupDelay; // looks a name up once the user paused typing
    std::function<bool(const Endpoint&)> m_isOwn;
};
