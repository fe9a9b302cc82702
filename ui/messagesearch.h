#pragma once

#include <QTimer>
#include <QWidget>

class History;
class Messenger;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
struct Message;

// Search of the messages of every conversation (Ctrl+Shift+F; History::search, SQLite FTS5): a query box over the
// results, newest first, each with its conversation, date and the text around the match, the matching words
// highlighted. Further pages load as the list is scrolled down. Enter or a click on a result asks for its
// conversation to be opened at that message; Esc closes the search.
class MessageSearch final : public QWidget {
    Q_OBJECT
public:
    enum Role { PeerRole = Qt::UserRole + 1, IdRole, HtmlRole };

    // With `messenger`, a result from a group names its sender as the group's thread does ("#team › Bob").
    explicit MessageSearch(History* history, const Messenger* messenger = nullptr, QWidget* parent = nullptr);

    // Gives the query box the keyboard with its text selected.
    void start();
    QLineEdit* queryBox() const { return m_query; }
    QListWidget* results() const { return m_results; }
    // Searches for what the query box holds now (it does so by itself 150 ms after each change).
    void search();

Q_SIGNALS:
    void openRequested(const QString& peer, qint64 id);
    void closeRequested();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void loadMore();
    void open(QListWidgetItem* item);

    // Who a result is from or to, as the list shows it: the conversation, and in a group the member who wrote.
    QString who(const Message& m) const;

    History* m_history;
    const Messenger* m_messenger;
    QLineEdit* m_query;
    QListWidget* m_results;
    QLabel* m_note;
    QTimer m_delay;
    QString m_searched;
    qint64 m_next = 0;
};
