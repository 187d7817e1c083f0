<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About {app}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answers your shop&apos;s WhatsApp customers with a free AI that runs on this computer. Your chats stay on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>License:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version {version}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Website:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AppSession</name>
    <message>
        <source>Not connected to the shop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaBot could not connect to the shop&apos;s server, so this PC runs its own bot for now. {reason} Fix it in Settings, “Shop server”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backup restored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backup saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace every chat, setting and everything the bot knows in {what} with the backup of {when} ({count} messages)?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore a backup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore this backup?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save a backup of {what}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The backup of {what} was saved in {file} ({count} messages). It holds the chats, the settings and what the bot knows, never your passwords or keys.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot stops for a moment and starts again with the restored data. The current data is kept in the “backups” folder of the data folder first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaBot backups (*.zip)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the practice data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>your shop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} messages were restored. The bot answers with the restored data.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BubbleDelegate</name>
    <message>
        <source>automatic transcript</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Staff</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forwarded many times</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forwarded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Earlier message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reacted with {emoji}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>View on map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download the file and open it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Play</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CrashReporter</name>
    <message>
        <source>Something went wrong in WaBot. Your chats are safe and the bot keeps working.

The details were saved in the log file:
{path}

If it happens again, send that file to whoever helps you with WaBot.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatList</name>
    <message>
        <source>All labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label: all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show only chats with this label</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n chat(s)</source>
        <translation>
            <numerusform>%n chat</numerusform>
            <numerusform>%n chats</numerusform>
        </translation>
    </message>
    <message>
        <source>Loading chats…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No chats match this filter or search.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No chats yet.
When a customer writes to your WhatsApp number, the chat appears here and the bot answers it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unread ({count})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unread</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Want a person ({count})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Want a person</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatListDelegate</name>
    <message>
        <source>This chat could not be loaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[unsubscribed] </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>[blocked] </source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatListView</name>
    <message>
        <source>Search name, number or message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unread</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Want a person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With staff</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Free text is locked. Choose a template above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write a message… sending it takes over from the bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When you send a message you take over this chat: the bot stops answering it until you hand it back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write your answer: the customer is waiting for a person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is answering. If you write, you take the chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write a message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replying to: {text}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No quick replies yet. Add them in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ComposerView</name>
    <message>
        <source>Cancel the reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>More than 24 hours have passed since this customer&apos;s last message. WhatsApp only lets you send an approved template until they write again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a template…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Emoji</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quick replies (type / in the message box)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send (Enter). Shift+Enter starts a new line.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ContactPanel</name>
    <message>
        <source>As a spreadsheet (CSV)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As plain text (TXT)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Spreadsheet (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text file (*.txt)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete customer data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete everything about {name}? Their messages, files and contact details are removed from this computer. This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The chat in the customer&apos;s WhatsApp is not affected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ContactPanelView</name>
    <message>
        <source>Customer details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Number:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First contact:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last contact:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No labels yet. Create them in Settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notes (only you see them)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>For example: prefers delivery in the afternoon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save notes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsubscribed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asked not to get messages. The bot does not write.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Blocked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot ignores this customer&apos;s messages.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversation data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete customer data…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Conversation</name>
    <message>
        <source>Take over from {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take over</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This customer asked to talk to a person. The bot will not answer until you reply or hand the chat back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This kind of file could be harmful, so WaBot does not open it. It was saved in the folder that opens now; open it only if you trust the customer.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConversationView</name>
    <message>
        <source>Choose a chat on the left to see it here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot answers every chat on its own. To answer a customer yourself, open the chat and press "Take over", or simply write. Press "Hand back to bot" when you are done.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take over</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer this customer yourself. The bot stays silent in this chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hand back to bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Let the bot answer this chat again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Customer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Customer details</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>No connection to the shop&apos;s server right now, so this was not done. Try again when the warning at the top of the window is gone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This PC is connected to the shop&apos;s server and holds no WhatsApp connection of its own: this is done on the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>More than 24 hours have passed since this customer last wrote. WhatsApp only allows an approved template until they write again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending is stopped: WhatsApp rejected the connection (for example, the access token expired). Replies wait in the outbox: enter a new token in “Configure WhatsApp…” (the mode menu); sending resumes by itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This chat no longer exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The chat history could not be read or saved. Check free disk space.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp is not connected yet. Connect it with “Connect WhatsApp…” in the mode menu; meanwhile, practise in simulator mode.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This computer has no secure password store, so WaBot cannot keep your keys.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another program is using WaBot&apos;s network port. Close it, or start WaBot with another port (for example “wabot-desktop --port 8081”).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaBot is already open with this data folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaBot is not allowed to write there. Choose another folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file could not be read or written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaBot could not do that ({code}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Something went wrong. The details were saved in WaBot&apos;s log file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This file is not a WaBot backup, it is damaged, or it was made by a newer version of WaBot. Nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaBot could not update its database to this version, so it did not start: your chats and settings were put back exactly as they were before the update (from the backup {backup}). Install the previous version again, or send WaBot&apos;s log file to whoever supports you.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Shop server settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shop: {where}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This PC is connected to the shop&apos;s server. To run the bot on this PC again, open Settings, “Shop server”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaBot keeps answering</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot keeps answering your customers in the background. To open WaBot again, click its icon here. To stop the bot, choose "Quit" in the icon&apos;s menu.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot is paused. Click to let it answer customers again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot is answering. Click to pause it in every chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{app} (practice mode)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Practice mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Real WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer your real customers on WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No WhatsApp Business number is connected to WaBot yet, so only practice mode is available.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switch to practice mode?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>While you practise, the bot does not answer your real WhatsApp customers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp keeps trying to deliver their messages, so the bot answers them after you switch back to real WhatsApp. Your real chats and settings are not changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Practise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear practice data?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete every practice customer, chat and setting?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Practice mode starts again as on the first day. Your real WhatsApp chats and settings are not touched.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear practice data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No WhatsApp Business number is connected yet: the setup assistant connects it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set up WhatsApp…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect WhatsApp…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The setup assistant is not available here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp rejected the access token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The access token expired or was revoked, so sending has stopped. The waiting replies are kept and go out once a new token is stored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the setup assistant at the token step?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter a new token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The WhatsApp access token expires on {date}. Create a new one in the setup assistant (Real WhatsApp menu) before then, or the bot stops answering.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The WhatsApp token expires soon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The WhatsApp access token was renewed with Meta.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindowView</name>
    <message>
        <source>Main</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switch between your real WhatsApp and practice mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Real WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Practice mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try the bot with made-up customers. Nothing is sent to WhatsApp.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear practice data…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the practice customers and chats. Real chats are not touched.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot knowledge…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Practice mode: messages do not go out to WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To answer real customers, connect your shop&apos;s WhatsApp Business number with a Meta (Facebook) business account: choose “Connect WhatsApp…” in the “Practice mode” menu above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your WhatsApp Business number is already connected: press “Use real WhatsApp” to answer real customers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use real WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot is paused: customers get no automatic answers. You and your team can still answer from here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About WaBot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back up…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backups and information about WaBot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>More</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore from a backup…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the chats, settings and what the bot knows in one file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect WhatsApp…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Monitor</name>
    <message>
        <source>Your name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What is your name? It is shown next to your messages in this window so your team knows who answered. Customers do not see it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NewCustomerDialog</name>
    <message>
        <source>New practice customer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This customer only exists in practice mode. Nobody receives a message on this number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>For example: María López</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional: WaBot makes one up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp number:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write the customer&apos;s name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A WhatsApp number has 6 to 15 digits, with the country code (for example 52 55 1234 5678).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>{name} is sending many messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot could not answer {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} has been waiting for an answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} wants to talk to a person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Click to open the chat and answer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New message from {name}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PhoneBubbleDelegate</name>
    <message>
        <source>See options</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PhoneChat</name>
    <message>
        <source>Photo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voice message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sticker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Location</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contact card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reacted {emoji}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not delivered to WaBot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read by the business</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Business</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PhonePane</name>
    <message>
        <source>Test customer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaBot did not receive this message (its webhook server did not answer). Try again in a moment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This could not be sent. The details were saved in WaBot&apos;s log file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>typing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot is answering from your frequently asked questions. Its answers will be smarter with Ollama, the free AI program: download it from {link}, install it and restart WaBot.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot is answering from your frequently asked questions: Ollama is running, but the AI model {model} is not downloaded yet.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PhonePaneView</name>
    <message>
        <source>Which fake customer you are writing as</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New customer…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Customer&apos;s phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make up another customer, with a name and a phone number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Customer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write in the box below as if you were a customer. Your message reaches the bot like a real WhatsApp message, and its answer shows up here and in the chat list.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send a photo, a location or a voice message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Photo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A sample picture; what you typed in the box goes with it as its caption</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Location</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share a location pin, as from a phone&apos;s map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voice message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A short voice message (a second of silence)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send as the customer (Enter)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PromptEditorWindow</name>
    <message>
        <source>What the bot knows and how it talks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Short note for this version (what changed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Instructions for the bot. Click a chip to insert it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preview: the prompt exactly as the model receives it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How the bot talks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cash, transfer, card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty = this computer&apos;s time zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Business name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monday</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thursday</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Friday</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saturday</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sunday</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>09:00-13:00, 14:00-19:00 (empty = closed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Closed dates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Map link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Payment methods</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivery zones and costs (one per line: zone: cost)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Policies (returns, orders, anything else)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frequently asked questions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Question</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Direct answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prices come from this list only; other amounts are never sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Product</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Variants</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Price</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Currency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Available</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add question</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add product</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import CSV/Excel…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the bot knows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Greeting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Away (outside hours)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Passing to a person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opt-out confirmation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Can&apos;t read this message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fallback (no answer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty = the default text for the language (shown in grey).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Greet new customers with the greeting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outside opening hours, send the away text instead of answering</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>person, human, agent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Words that pass the chat to a person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Texts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make this version active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a version to see what changed since it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Versions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Talk to the local model with the unsaved draft.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write as a customer would…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Example questions and what the answer must (not) contain.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Must contain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Must not contain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown variables: {names}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About {tokens} tokens of {context} in the model&apos;s context window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version {id} saved: the bot uses it now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(active)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No differences with the draft.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version {old} is active again (as version {id}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import FAQ or price list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tables (*.csv *.xlsx)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read {file}: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line {line}: {problem}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was imported; fix these rows and try again:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Imported {count} rows from {file} (save a version to use them).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export to folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported: {files}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Customer: {text}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model did not answer: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First token after {ttft} ms · {rate} tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{passed} of {total} checks pass.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Shop server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>For example: Ana</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shown next to your messages in this window. Customers do not see it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Same as the computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new language is used the next time WaBot opens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>General</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type / and the shortcut in a chat to insert the text. {nombre} is replaced with the customer&apos;s first name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shortcut</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quick replies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labels sort your chats, for example "Paid" or "Wholesale".</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New label name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete selected label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the label "{name}"? Chats keep their messages.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AI model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voice notes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversations leave this PC for {host}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ShopBanner</name>
    <message>
        <source>No connection to the shop&apos;s server ({where}). Taking chats over and sending messages do not work until it answers again; the bot keeps answering customers on the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trying again in {seconds} s…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trying again…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ShopStatus</name>
    <message>
        <source>Connected to the shop: {where}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This PC shows the chats of the shop&apos;s server. The bot answers on the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No connection to the shop: {where}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaBot keeps trying to reach the shop&apos;s server.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>Try sending again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending resumed: the waiting replies are going out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp still rejects the connection. Check the token and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Database error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The chat history cannot be saved. Check free disk space.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp: connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp: simulator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Practice mode: nothing is sent to real customers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp: sending stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp rejected the connection (for example, the access token expired). Messages wait in the outbox. Enter a new token in “Configure WhatsApp…” (the mode menu); sending resumes by itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp: not reachable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the internet connection and the WhatsApp settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp: checking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp delivers messages to this computer through {url}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public link: on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public link: connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public link: down, retrying</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Customers&apos; messages wait at WhatsApp until the link is back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public link: ngrok is missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public link: ngrok key rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public link: error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public link: off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No tunnel is running (own public address or practice mode).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AI: {model} ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AI: {model} loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AI: model {model} missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download it with “ollama pull {model}” in a terminal, or choose another model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AI: paused after errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The AI failed several times. WaBot tries again shortly.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AI: Ollama is not running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start Ollama. Meanwhile the bot answers from your FAQ or hands chats to a person.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AI: checking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outbox: {queued} waiting, {failed} failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed messages show a red mark and the reason in their chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outbox: {queued} waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outbox: all sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AI: the model server is not reachable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check that the model server is running and its address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversations leave this PC for {host}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AI: {model} ready, outside this PC</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TemplateDialog</name>
    <message>
        <source>Send a template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Templates are messages approved by WhatsApp. They are the only messages you can send when the customer has not written for more than 24 hours.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The customer will receive:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading templates…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking WhatsApp for the current templates…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name}  ({language})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There are no approved templates. Create them in WhatsApp Manager.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value {number}:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Texts</name>
    <message>
        <source>Unknown customer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wants a person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Staff: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Staff</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The customer asked for a person. The bot is silent until someone answers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} is answering this chat. The bot is silent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Staff are answering this chat. The bot is silent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot is answering this chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name}: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Staff: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Photo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voice message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sticker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Location</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contact card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This message type cannot be shown here. Open WhatsApp on your phone to see it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent: more than 24 hours since the customer&apos;s last message.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not delivered: this number cannot receive WhatsApp messages.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not delivered: WhatsApp limits how many marketing messages a person gets.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not delivered: the customer stopped marketing messages.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent: too many messages in a short time. Try again in a few minutes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent: the file could not be processed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent: the WhatsApp connection expired. Enter a new token in “Configure WhatsApp…” (the mode menu), then try sending again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent: Meta has restricted this WhatsApp account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent: the template does not exist or its values are wrong.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent (WhatsApp error {code}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent ({reason}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Today</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>Open WaBot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit WaBot (the bot stops)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot answering</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n chat(s) unread</source>
        <translation>
            <numerusform>%n chat unread</numerusform>
            <numerusform>%n chats unread</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n waiting for a person</source>
        <translation>
            <numerusform>%n waiting for a person</numerusform>
            <numerusform>%n waiting for a person</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LlmPage</name>
    <message>
        <source>The program that runs the AI model that answers your customers. Changes are used from the next message on, without restarting.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ollama</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OpenAI-compatible server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model server:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another server (type its address)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Program:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This address is a computer of my own network (it does not go to the internet)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste a new key to store or replace it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Store key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional for servers on this PC. The key is kept in the system&apos;s keyring, never in WaBot&apos;s files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the server uses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Context size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How much of the conversation the model reads. Bigger remembers more but needs more memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversations leave this PC for {host}: your customers&apos; messages are sent to that server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type the server&apos;s address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking the server for its models…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server answered with an error (is the key right?). Type the model name yourself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server does not answer at this address. Is it running?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This server does not list its models: type the model&apos;s name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server has no models yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n model(s) on the server.</source>
        <translation>
            <numerusform>%n model on the server.</numerusform>
            <numerusform>%n models on the server.</numerusform>
        </translation>
    </message>
    <message>
        <source>A key is stored in the system&apos;s keyring.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No key stored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} needs a key (a token of your account). It is kept in the system&apos;s keyring, never in WaBot&apos;s files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This PC has no usable keyring, so the key cannot be stored.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VoiceModelPicker</name>
    <message>
        <source>Folder with model.bin and config.json</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Off: answer that the bot cannot listen to audio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>base: light, for a modest PC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>small: good Spanish on a normal PC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>large-v3-turbo: the best, for a strong PC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{model} (uses about {ram} GB of memory)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>recommended for this PC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A model in a folder of this PC (offline install)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder of the voice model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voice notes cannot be transcribed on this PC (faster-whisper is missing).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voice notes get the "can&apos;t listen" reply or go to a person, as chosen below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the folder where the model is.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder holds a voice model: ready.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This folder does not hold a voice model (model.bin and config.json).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloaded: ready on this PC.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not on this PC yet ({size} MB). Download it now, or it downloads by itself when the first voice note arrives.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloading {model}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The download failed. Check the internet connection and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download complete.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{done} MB of {total} MB · {speed} MB/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{done} MB · {speed} MB/s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VoicePage</name>
    <message>
        <source>Customers&apos; voice notes are turned into text on this PC (nothing is sent anywhere), and the bot answers what they said.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voice model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Half of the PC&apos;s cores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Processor cores:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fewer cores leave the PC freer for other work; the text takes longer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Longest voice note:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A longer voice note goes to a person instead of keeping the PC busy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reply that the bot cannot listen to audio and ask for text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pass the chat to a person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When a voice note cannot be understood:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CheckRow</name>
    <message>
        <source>Open the page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>details</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConnectMetaPage</name>
    <message>
        <source>The app&apos;s subscription (recommended)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only this phone number (override)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for my message again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Now send any message from your own phone to the business number {number}. Waiting… {seconds} s left.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DetailsDialog</name>
    <message>
        <source>Details: {check}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What WaBot sent and what it got back. Passwords, tokens and the PIN are replaced by ***, so you can send this to whoever helps you.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This check made no request.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DonePage</name>
    <message>
        <source>Number: {number} ({name})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public address: {url}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model: {model} (context {ctx})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shop: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot answers from day one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Staff answers first (the bot starts paused)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ModelPage</name>
    <message>
        <source>Download model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set explicitly: Ollama uses 4,096 by default on most PCs and silently cuts longer prompts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>recommended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fits this PC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>too big for this PC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This PC has {ram} GB of memory: {model} fits this PC.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The memory of this PC could not be read: {model} is the safe choice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model server:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ollama on this PC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another OpenAI-compatible server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another server (type its address)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Program:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional for servers on this PC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key is kept in the system&apos;s keyring when you finish, never in WaBot&apos;s files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the server uses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Context size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversations leave this PC for {host}: your customers&apos; messages are sent to that server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking the server for its models…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This server does not list its models: type the model&apos;s name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voice notes:</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n model(s) on the server.</source>
        <translation>
            <numerusform>%n model on the server.</numerusform>
            <numerusform>%n models on the server.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProgressRow</name>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PublicAddressPage</name>
    <message>
        <source>ngrok (free, recommended)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>I have my own HTTPS address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download ngrok</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It is installed: choose the program…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ngrok program</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ngrok is on this PC: {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ngrok is not on this PC yet. WaBot downloads it (about 10 MB) from ngrok&apos;s official address the first time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the ngrok program</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <source>Connect WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check and continue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not needed now: WaBot is live and keeps this step up to date.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save and go live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Continue anyway</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ShopPage</name>
    <message>
        <source>Use this PC as a staff PC: it shows the chats of your shop&apos;s server, and you take them over and answer from here. The bot keeps answering on the server; this PC runs no bot, no webhook and no tunnel of its own.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>For example: 192.168.1.20 or server.local</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Database:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kept in this PC&apos;s secure password store, never in a file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encrypt the connection (TLS)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Without encryption, the chats and the password travel readable over the network. Use it only inside your shop&apos;s own trusted network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect to the shop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the bot on this PC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored in the password store (type to change it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected to the shop: {where}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This PC runs the bot itself (it is not connected to a shop&apos;s server).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect without encryption?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Without TLS, anyone on the network between this PC and the server can read the chats and the database password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Do it only inside your shop&apos;s own network, and only if the server cannot offer TLS.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Turn encryption off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep encryption</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Testing the connection…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting to the shop&apos;s server…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected. The chats you see now are the shop&apos;s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the bot on this PC?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This PC stops showing the shop&apos;s chats and runs its own bot again (with this PC&apos;s WhatsApp connection, or in practice mode).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The shop&apos;s server keeps answering its customers. The saved connection and its password are removed from this PC.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the bot here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This PC runs the bot again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection is encrypted (TLS).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection is not encrypted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection works: PostgreSQL {version}, {count} chats. {tls}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused the user or the password. Check both and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server does not answer. Check the address and the port, that the server is on, and that this PC is connected to the shop&apos;s network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server has no database with that name. Check the name with whoever set up the server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server does not accept encrypted connections (TLS). Turn TLS on in the server&apos;s PostgreSQL, or, only inside a trusted shop network, untick “Encrypt the connection”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server does not let this PC in (its pg_hba.conf). Ask whoever set up the server to allow this PC&apos;s address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That database has no WaBot data yet. Start WaBot on the server first (“wabot-desktop serve --database-url …”).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The shop&apos;s server runs an older version of WaBot. Update WaBot on the server first, then connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The shop&apos;s server runs a newer version of WaBot. Update WaBot on this PC, then connect again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill in the server, the port, the database and the user.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the database password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection failed ({detail}). The details are in WaBot&apos;s log file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>09:00-13:00, 16:00-20:00 or closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Question</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add question</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bot answers from day one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Staff answers first (the bot starts paused; you switch it on later)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who answers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>closed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StepPage</name>
    <message>
        <source>Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where is it?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>Stay in practice mode</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
