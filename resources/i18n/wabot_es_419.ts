<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_419" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About {app}</source>
        <translation>Acerca de {app}</translation>
    </message>
    <message>
        <source>Answers your shop&apos;s WhatsApp customers with a free AI that runs on this computer. Your chats stay on this computer.</source>
        <translation>Responde a los clientes de WhatsApp de tu negocio con una IA gratuita que funciona en esta PC. Tus chats se quedan en esta PC.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Data folder:</source>
        <translation>Carpeta de datos:</translation>
    </message>
    <message>
        <source>License:</source>
        <translation>Licencia:</translation>
    </message>
    <message>
        <source>Log folder:</source>
        <translation>Carpeta de registros:</translation>
    </message>
    <message>
        <source>Version {version}</source>
        <translation>Versión {version}</translation>
    </message>
    <message>
        <source>Website:</source>
        <translation>Sitio web:</translation>
    </message>
</context>
<context>
    <name>AppSession</name>
    <message>
        <source>Not connected to the shop</source>
        <translation>Sin conexión con la tienda</translation>
    </message>
    <message>
        <source>WaBot could not connect to the shop&apos;s server, so this PC runs its own bot for now. {reason} Fix it in Settings, “Shop server”.</source>
        <translation>WaBot no pudo conectarse al servidor de la tienda, así que por ahora esta PC ejecuta su propio bot. {reason} Corrígelo en Ajustes, “Servidor de la tienda”.</translation>
    </message>
    <message>
        <source>Backup restored</source>
        <translation>Copia de seguridad restaurada</translation>
    </message>
    <message>
        <source>Backup saved</source>
        <translation>Copia de seguridad guardada</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>Aceptar</translation>
    </message>
    <message>
        <source>Replace every chat, setting and everything the bot knows in {what} with the backup of {when} ({count} messages)?</source>
        <translation>¿Reemplazar todos los chats, la configuración y todo lo que sabe el bot en {what} por la copia de seguridad del {when} ({count} mensajes)?</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>Restaurar</translation>
    </message>
    <message>
        <source>Restore a backup</source>
        <translation>Restaurar una copia de seguridad</translation>
    </message>
    <message>
        <source>Restore this backup?</source>
        <translation>¿Restaurar esta copia de seguridad?</translation>
    </message>
    <message>
        <source>Save a backup of {what}</source>
        <translation>Guardar una copia de seguridad de {what}</translation>
    </message>
    <message>
        <source>The backup of {what} was saved in {file} ({count} messages). It holds the chats, the settings and what the bot knows, never your passwords or keys.</source>
        <translation>La copia de seguridad de {what} se guardó en {file} ({count} mensajes). Contiene los chats, la configuración y lo que sabe el bot, nunca tus contraseñas ni claves.</translation>
    </message>
    <message>
        <source>The bot stops for a moment and starts again with the restored data. The current data is kept in the “backups” folder of the data folder first.</source>
        <translation>El bot se detiene un momento y vuelve a arrancar con los datos restaurados. Antes, los datos actuales se guardan en la carpeta «backups» de la carpeta de datos.</translation>
    </message>
    <message>
        <source>WaBot backups (*.zip)</source>
        <translation>Copias de seguridad de WaBot (*.zip)</translation>
    </message>
    <message>
        <source>the practice data</source>
        <translation>los datos de prueba</translation>
    </message>
    <message>
        <source>your shop</source>
        <translation>tu negocio</translation>
    </message>
    <message>
        <source>{count} messages were restored. The bot answers with the restored data.</source>
        <translation>Se restauraron {count} mensajes. El bot responde con los datos restaurados.</translation>
    </message>
</context>
<context>
    <name>BubbleDelegate</name>
    <message>
        <source>automatic transcript</source>
        <translation>transcripción automática</translation>
    </message>
    <message>
        <source>Bot</source>
        <translation>Bot</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Personal</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Plantilla</translation>
    </message>
    <message>
        <source>Forwarded many times</source>
        <translation>Reenviado muchas veces</translation>
    </message>
    <message>
        <source>Forwarded</source>
        <translation>Reenviado</translation>
    </message>
    <message>
        <source>Earlier message</source>
        <translation>Mensaje anterior</translation>
    </message>
    <message>
        <source>Reacted with {emoji}</source>
        <translation>Reaccionó con {emoji}</translation>
    </message>
    <message>
        <source>View on map</source>
        <translation>Ver en el mapa</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>Download the file and open it</source>
        <translation>Descargar el archivo y abrirlo</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Detener</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Reproducir</translation>
    </message>
</context>
<context>
    <name>CrashReporter</name>
    <message>
        <source>Something went wrong in WaBot. Your chats are safe and the bot keeps working.

The details were saved in the log file:
{path}

If it happens again, send that file to whoever helps you with WaBot.</source>
        <translation>Algo falló en WaBot. Tus chats están a salvo y el bot sigue funcionando.

Los detalles se guardaron en el archivo de registro:
{path}

Si vuelve a pasar, envía ese archivo a quien te ayuda con WaBot.</translation>
    </message>
</context>
<context>
    <name>ChatList</name>
    <message>
        <source>All labels</source>
        <translation>Todas las etiquetas</translation>
    </message>
    <message>
        <source>Label: all</source>
        <translation>Etiqueta: todas</translation>
    </message>
    <message>
        <source>Label: {name}</source>
        <translation>Etiqueta: {name}</translation>
    </message>
    <message>
        <source>Show only chats with this label</source>
        <translation>Mostrar solo los chats con esta etiqueta</translation>
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
        <translation>Cargando chats…</translation>
    </message>
    <message>
        <source>No chats match this filter or search.</source>
        <translation>Ningún chat coincide con este filtro o búsqueda.</translation>
    </message>
    <message>
        <source>No chats yet.
When a customer writes to your WhatsApp number, the chat appears here and the bot answers it.</source>
        <translation>Todavía no hay chats.
Cuando un cliente le escriba a tu número de WhatsApp, el chat aparecerá aquí y el bot le responderá.</translation>
    </message>
    <message>
        <source>Unread ({count})</source>
        <translation>No leídos ({count})</translation>
    </message>
    <message>
        <source>Unread</source>
        <translation>No leídos</translation>
    </message>
    <message>
        <source>Want a person ({count})</source>
        <translation>Piden persona ({count})</translation>
    </message>
    <message>
        <source>Want a person</source>
        <translation>Piden persona</translation>
    </message>
</context>
<context>
    <name>ChatListDelegate</name>
    <message>
        <source>This chat could not be loaded.</source>
        <translation>No se pudo cargar este chat.</translation>
    </message>
    <message>
        <source>[unsubscribed] </source>
        <translation>[dado de baja] </translation>
    </message>
    <message>
        <source>[blocked] </source>
        <translation>[bloqueado] </translation>
    </message>
</context>
<context>
    <name>ChatListView</name>
    <message>
        <source>Search name, number or message</source>
        <translation>Buscar nombre, número o mensaje</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Todos</translation>
    </message>
    <message>
        <source>Unread</source>
        <translation>No leídos</translation>
    </message>
    <message>
        <source>Want a person</source>
        <translation>Piden persona</translation>
    </message>
    <message>
        <source>With staff</source>
        <translation>Con personal</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Free text is locked. Choose a template above.</source>
        <translation>El texto libre está bloqueado. Elige una plantilla arriba.</translation>
    </message>
    <message>
        <source>Write a message… sending it takes over from the bot</source>
        <translation>Escribe un mensaje… al enviarlo tomas el control</translation>
    </message>
    <message>
        <source>When you send a message you take over this chat: the bot stops answering it until you hand it back.</source>
        <translation>Al enviar un mensaje tomas el control de este chat: el bot deja de responder aquí hasta que se lo devuelvas.</translation>
    </message>
    <message>
        <source>Write your answer: the customer is waiting for a person</source>
        <translation>Escribe tu respuesta: el cliente espera a una persona</translation>
    </message>
    <message>
        <source>{name} is answering. If you write, you take the chat.</source>
        <translation>{name} está atendiendo. Si escribes, el chat pasa a ti.</translation>
    </message>
    <message>
        <source>Write a message</source>
        <translation>Escribe un mensaje</translation>
    </message>
    <message>
        <source>Replying to: {text}</source>
        <translation>Respondiendo a: {text}</translation>
    </message>
    <message>
        <source>No quick replies yet. Add them in Settings.</source>
        <translation>Aún no hay respuestas rápidas. Agrégalas en Ajustes.</translation>
    </message>
</context>
<context>
    <name>ComposerView</name>
    <message>
        <source>Cancel the reply</source>
        <translation>Cancelar la respuesta</translation>
    </message>
    <message>
        <source>More than 24 hours have passed since this customer&apos;s last message. WhatsApp only lets you send an approved template until they write again.</source>
        <translation>Pasaron más de 24 horas desde el último mensaje de este cliente. WhatsApp solo permite enviarle una plantilla aprobada hasta que vuelva a escribir.</translation>
    </message>
    <message>
        <source>Choose a template…</source>
        <translation>Elegir plantilla…</translation>
    </message>
    <message>
        <source>Emoji</source>
        <translation>Emoji</translation>
    </message>
    <message>
        <source>Quick replies (type / in the message box)</source>
        <translation>Respuestas rápidas (escribe / en el mensaje)</translation>
    </message>
    <message>
        <source>Send (Enter). Shift+Enter starts a new line.</source>
        <translation>Enviar (Enter). Mayús+Enter crea una línea nueva.</translation>
    </message>
</context>
<context>
    <name>ContactPanel</name>
    <message>
        <source>As a spreadsheet (CSV)…</source>
        <translation>Como hoja de cálculo (CSV)…</translation>
    </message>
    <message>
        <source>As plain text (TXT)…</source>
        <translation>Como texto (TXT)…</translation>
    </message>
    <message>
        <source>Export conversation</source>
        <translation>Exportar conversación</translation>
    </message>
    <message>
        <source>Spreadsheet (*.csv)</source>
        <translation>Hoja de cálculo (*.csv)</translation>
    </message>
    <message>
        <source>Text file (*.txt)</source>
        <translation>Archivo de texto (*.txt)</translation>
    </message>
    <message>
        <source>Delete customer data</source>
        <translation>Borrar datos del cliente</translation>
    </message>
    <message>
        <source>Delete everything about {name}? Their messages, files and contact details are removed from this computer. This cannot be undone.</source>
        <translation>¿Borrar todo lo de {name}? Sus mensajes, archivos y datos de contacto se eliminan de esta PC. No se puede deshacer.</translation>
    </message>
    <message>
        <source>The chat in the customer&apos;s WhatsApp is not affected.</source>
        <translation>El chat en el WhatsApp del cliente no cambia.</translation>
    </message>
    <message>
        <source>Delete data</source>
        <translation>Borrar datos</translation>
    </message>
    <message>
        <source>Keep</source>
        <translation>Conservar</translation>
    </message>
</context>
<context>
    <name>ContactPanelView</name>
    <message>
        <source>Customer details</source>
        <translation>Datos del cliente</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Nombre:</translation>
    </message>
    <message>
        <source>Number:</source>
        <translation>Número:</translation>
    </message>
    <message>
        <source>User:</source>
        <translation>Usuario:</translation>
    </message>
    <message>
        <source>First contact:</source>
        <translation>Primer contacto:</translation>
    </message>
    <message>
        <source>Last contact:</source>
        <translation>Último contacto:</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>Etiquetas</translation>
    </message>
    <message>
        <source>No labels yet. Create them in Settings.</source>
        <translation>Aún no hay etiquetas. Créalas en Ajustes.</translation>
    </message>
    <message>
        <source>Notes (only you see them)</source>
        <translation>Notas (solo las ves tú)</translation>
    </message>
    <message>
        <source>For example: prefers delivery in the afternoon</source>
        <translation>Por ejemplo: prefiere la entrega por la tarde</translation>
    </message>
    <message>
        <source>Save notes</source>
        <translation>Guardar notas</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Mensajes</translation>
    </message>
    <message>
        <source>Unsubscribed</source>
        <translation>Dado de baja</translation>
    </message>
    <message>
        <source>Asked not to get messages. The bot does not write.</source>
        <translation>Pidió no recibir mensajes. El bot no le escribe.</translation>
    </message>
    <message>
        <source>Blocked</source>
        <translation>Bloqueado</translation>
    </message>
    <message>
        <source>The bot ignores this customer&apos;s messages.</source>
        <translation>El bot ignora los mensajes de este cliente.</translation>
    </message>
    <message>
        <source>Conversation data</source>
        <translation>Datos de la conversación</translation>
    </message>
    <message>
        <source>Export conversation</source>
        <translation>Exportar conversación</translation>
    </message>
    <message>
        <source>Delete customer data…</source>
        <translation>Borrar datos del cliente…</translation>
    </message>
</context>
<context>
    <name>Conversation</name>
    <message>
        <source>Take over from {name}</source>
        <translation>Tomar control (atiende {name})</translation>
    </message>
    <message>
        <source>Take over</source>
        <translation>Tomar control</translation>
    </message>
    <message>
        <source>This customer asked to talk to a person. The bot will not answer until you reply or hand the chat back.</source>
        <translation>Este cliente pidió hablar con una persona. El bot no responderá hasta que tú respondas o le devuelvas el chat.</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>Responder</translation>
    </message>
    <message>
        <source>Copy text</source>
        <translation>Copiar texto</translation>
    </message>
    <message>
        <source>File saved</source>
        <translation>Archivo guardado</translation>
    </message>
    <message>
        <source>This kind of file could be harmful, so WaBot does not open it. It was saved in the folder that opens now; open it only if you trust the customer.</source>
        <translation>Este tipo de archivo podría ser dañino, por eso WaBot no lo abre. Se guardó en la carpeta que se abre ahora; ábrelo solo si confías en el cliente.</translation>
    </message>
</context>
<context>
    <name>ConversationView</name>
    <message>
        <source>Choose a chat on the left to see it here.</source>
        <translation>Elige un chat de la izquierda para verlo aquí.</translation>
    </message>
    <message>
        <source>The bot answers every chat on its own. To answer a customer yourself, open the chat and press "Take over", or simply write. Press "Hand back to bot" when you are done.</source>
        <translation>El bot responde cada chat por su cuenta. Para atender tú a un cliente, abre el chat y presiona «Tomar control», o simplemente escribe. Cuando termines, presiona «Devolver al bot».</translation>
    </message>
    <message>
        <source>Take over</source>
        <translation>Tomar control</translation>
    </message>
    <message>
        <source>Answer this customer yourself. The bot stays silent in this chat.</source>
        <translation>Atiende tú a este cliente. El bot no responde en este chat.</translation>
    </message>
    <message>
        <source>Hand back to bot</source>
        <translation>Devolver al bot</translation>
    </message>
    <message>
        <source>Let the bot answer this chat again.</source>
        <translation>Deja que el bot vuelva a responder este chat.</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Cliente</translation>
    </message>
    <message>
        <source>Customer details</source>
        <translation>Datos del cliente</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>No connection to the shop&apos;s server right now, so this was not done. Try again when the warning at the top of the window is gone.</source>
        <translation>Ahora no hay conexión con el servidor de la tienda, así que esto no se hizo. Vuelve a intentarlo cuando desaparezca el aviso de arriba de la ventana.</translation>
    </message>
    <message>
        <source>This PC is connected to the shop&apos;s server and holds no WhatsApp connection of its own: this is done on the server.</source>
        <translation>Esta PC está conectada al servidor de la tienda y no tiene conexión propia con WhatsApp: esto se hace en el servidor.</translation>
    </message>
    <message>
        <source>More than 24 hours have passed since this customer last wrote. WhatsApp only allows an approved template until they write again.</source>
        <translation>Pasaron más de 24 horas desde que este cliente escribió. WhatsApp solo permite una plantilla aprobada hasta que vuelva a escribir.</translation>
    </message>
    <message>
        <source>Sending is stopped: WhatsApp rejected the connection (for example, the access token expired). Replies wait in the outbox: enter a new token in “Configure WhatsApp…” (the mode menu); sending resumes by itself.</source>
        <translation>El envío está detenido: WhatsApp rechazó la conexión (por ejemplo, venció el token de acceso). Las respuestas esperan en la bandeja de salida: escribe un token nuevo en «Configurar WhatsApp…» (menú del modo) y el envío sigue solo.</translation>
    </message>
    <message>
        <source>This chat no longer exists.</source>
        <translation>Este chat ya no existe.</translation>
    </message>
    <message>
        <source>The chat history could not be read or saved. Check free disk space.</source>
        <translation>No se pudo leer o guardar el historial. Revisa el espacio libre en el disco.</translation>
    </message>
    <message>
        <source>WhatsApp is not connected yet. Connect it with “Connect WhatsApp…” in the mode menu; meanwhile, practise in simulator mode.</source>
        <translation>WhatsApp todavía no está conectado. Conéctalo con «Conectar WhatsApp…» en el menú del modo; mientras tanto, practica en el modo de prueba.</translation>
    </message>
    <message>
        <source>This computer has no secure password store, so WaBot cannot keep your keys.</source>
        <translation>Esta PC no tiene un llavero seguro del sistema, así que WaBot no puede guardar tus claves.</translation>
    </message>
    <message>
        <source>Another program is using WaBot&apos;s network port. Close it, or start WaBot with another port (for example “wabot-desktop --port 8081”).</source>
        <translation>Otro programa está usando el puerto de red de WaBot. Ciérralo o inicia WaBot con otro puerto (por ejemplo «wabot-desktop --port 8081»).</translation>
    </message>
    <message>
        <source>WaBot is already open with this data folder.</source>
        <translation>WaBot ya está abierto con esta carpeta de datos.</translation>
    </message>
    <message>
        <source>WaBot is not allowed to write there. Choose another folder.</source>
        <translation>WaBot no tiene permiso para escribir ahí. Elige otra carpeta.</translation>
    </message>
    <message>
        <source>The file could not be read or written.</source>
        <translation>No se pudo leer o escribir el archivo.</translation>
    </message>
    <message>
        <source>WaBot could not do that ({code}).</source>
        <translation>WaBot no pudo hacerlo ({code}).</translation>
    </message>
    <message>
        <source>Something went wrong. The details were saved in WaBot&apos;s log file.</source>
        <translation>Algo salió mal. Los detalles quedaron en el archivo de registro de WaBot.</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>Aceptar</translation>
    </message>
    <message>
        <source>This file is not a WaBot backup, it is damaged, or it was made by a newer version of WaBot. Nothing was changed.</source>
        <translation>Este archivo no es una copia de seguridad de WaBot, está dañado o lo hizo una versión más nueva de WaBot. No se cambió nada.</translation>
    </message>
    <message>
        <source>WaBot could not update its database to this version, so it did not start: your chats and settings were put back exactly as they were before the update (from the backup {backup}). Install the previous version again, or send WaBot&apos;s log file to whoever supports you.</source>
        <translation>WaBot no pudo actualizar su base de datos a esta versión, así que no arrancó: tus chats y tu configuración quedaron exactamente como estaban antes de la actualización (desde la copia {backup}). Vuelve a instalar la versión anterior o envía el archivo de registro de WaBot a quien te da soporte.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Shop server settings…</source>
        <translation>Conexión con el servidor de la tienda…</translation>
    </message>
    <message>
        <source>Shop: {where}</source>
        <translation>Tienda: {where}</translation>
    </message>
    <message>
        <source>This PC is connected to the shop&apos;s server. To run the bot on this PC again, open Settings, “Shop server”.</source>
        <translation>Esta PC está conectada al servidor de la tienda. Para que el bot vuelva a funcionar en esta PC, abre Ajustes, “Servidor de la tienda”.</translation>
    </message>
    <message>
        <source>WaBot keeps answering</source>
        <translation>WaBot sigue respondiendo</translation>
    </message>
    <message>
        <source>The bot keeps answering your customers in the background. To open WaBot again, click its icon here. To stop the bot, choose "Quit" in the icon&apos;s menu.</source>
        <translation>El bot sigue respondiendo a tus clientes en segundo plano. Para abrir WaBot de nuevo, haz clic en su ícono aquí. Para detener el bot, elige «Salir» en el menú del ícono.</translation>
    </message>
    <message>
        <source>Resume bot</source>
        <translation>Reanudar bot</translation>
    </message>
    <message>
        <source>The bot is paused. Click to let it answer customers again.</source>
        <translation>El bot está en pausa. Haz clic para que vuelva a responder a los clientes.</translation>
    </message>
    <message>
        <source>Pause bot</source>
        <translation>Pausar bot</translation>
    </message>
    <message>
        <source>The bot is answering. Click to pause it in every chat.</source>
        <translation>El bot está respondiendo. Haz clic para pausarlo en todos los chats.</translation>
    </message>
    <message>
        <source>{app} (practice mode)</source>
        <translation>{app} (modo de prueba)</translation>
    </message>
    <message>
        <source>Practice mode</source>
        <translation>Modo de prueba</translation>
    </message>
    <message>
        <source>Real WhatsApp</source>
        <translation>WhatsApp real</translation>
    </message>
    <message>
        <source>Answer your real customers on WhatsApp</source>
        <translation>Atender a tus clientes reales en WhatsApp</translation>
    </message>
    <message>
        <source>No WhatsApp Business number is connected to WaBot yet, so only practice mode is available.</source>
        <translation>Todavía no hay un número de WhatsApp Business conectado a WaBot, así que solo está disponible el modo de prueba.</translation>
    </message>
    <message>
        <source>Switch to practice mode?</source>
        <translation>¿Pasar al modo de prueba?</translation>
    </message>
    <message>
        <source>While you practise, the bot does not answer your real WhatsApp customers.</source>
        <translation>Mientras practicas, el bot no responde a tus clientes reales de WhatsApp.</translation>
    </message>
    <message>
        <source>WhatsApp keeps trying to deliver their messages, so the bot answers them after you switch back to real WhatsApp. Your real chats and settings are not changed.</source>
        <translation>WhatsApp sigue intentando entregar los mensajes de tus clientes, así que el bot los responde cuando vuelvas a WhatsApp real. Tus chats y ajustes reales no cambian.</translation>
    </message>
    <message>
        <source>Practise</source>
        <translation>Practicar</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Clear practice data?</source>
        <translation>¿Borrar los datos de prueba?</translation>
    </message>
    <message>
        <source>Delete every practice customer, chat and setting?</source>
        <translation>¿Borrar todos los clientes, chats y ajustes de prueba?</translation>
    </message>
    <message>
        <source>Practice mode starts again as on the first day. Your real WhatsApp chats and settings are not touched.</source>
        <translation>El modo de prueba vuelve a empezar como el primer día. Tus chats y ajustes de WhatsApp real no se tocan.</translation>
    </message>
    <message>
        <source>Clear practice data</source>
        <translation>Borrar datos de prueba</translation>
    </message>
    <message>
        <source>No WhatsApp Business number is connected yet: the setup assistant connects it.</source>
        <translation>Todavía no hay un número de WhatsApp Business conectado: el asistente lo conecta.</translation>
    </message>
    <message>
        <source>Set up WhatsApp…</source>
        <translation>Configurar WhatsApp…</translation>
    </message>
    <message>
        <source>Connect WhatsApp…</source>
        <translation>Conectar WhatsApp…</translation>
    </message>
    <message>
        <source>The setup assistant is not available here.</source>
        <translation>El asistente de configuración no está disponible aquí.</translation>
    </message>
    <message>
        <source>WhatsApp rejected the access token</source>
        <translation>WhatsApp rechazó el token de acceso</translation>
    </message>
    <message>
        <source>The access token expired or was revoked, so sending has stopped. The waiting replies are kept and go out once a new token is stored.</source>
        <translation>El token de acceso venció o fue revocado, así que el envío se detuvo. Las respuestas en espera se guardan y salen en cuanto se guarde un token nuevo.</translation>
    </message>
    <message>
        <source>Open the setup assistant at the token step?</source>
        <translation>¿Abrir el asistente en el paso del token?</translation>
    </message>
    <message>
        <source>Enter a new token</source>
        <translation>Escribir un token nuevo</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>Más tarde</translation>
    </message>
    <message>
        <source>The WhatsApp access token expires on {date}. Create a new one in the setup assistant (Real WhatsApp menu) before then, or the bot stops answering.</source>
        <translation>El token de acceso de WhatsApp vence el {date}. Crea uno nuevo en el asistente (menú WhatsApp real) antes de esa fecha, o el bot dejará de responder.</translation>
    </message>
    <message>
        <source>The WhatsApp token expires soon</source>
        <translation>El token de WhatsApp vence pronto</translation>
    </message>
    <message>
        <source>The WhatsApp access token was renewed with Meta.</source>
        <translation>El token de acceso de WhatsApp se renovó con Meta.</translation>
    </message>
</context>
<context>
    <name>MainWindowView</name>
    <message>
        <source>Main</source>
        <translation>Principal</translation>
    </message>
    <message>
        <source>Switch between your real WhatsApp and practice mode</source>
        <translation>Cambiar entre tu WhatsApp real y el modo de prueba</translation>
    </message>
    <message>
        <source>Real WhatsApp</source>
        <translation>WhatsApp real</translation>
    </message>
    <message>
        <source>Practice mode</source>
        <translation>Modo de prueba</translation>
    </message>
    <message>
        <source>Try the bot with made-up customers. Nothing is sent to WhatsApp.</source>
        <translation>Prueba el bot con clientes inventados. No se envía nada a WhatsApp.</translation>
    </message>
    <message>
        <source>Clear practice data…</source>
        <translation>Borrar datos de prueba…</translation>
    </message>
    <message>
        <source>Delete the practice customers and chats. Real chats are not touched.</source>
        <translation>Borra los clientes y chats de prueba. Los chats reales no se tocan.</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <source>Bot knowledge…</source>
        <translation>Lo que sabe el bot…</translation>
    </message>
    <message>
        <source>Practice mode: messages do not go out to WhatsApp</source>
        <translation>Modo de prueba: los mensajes no salen a WhatsApp</translation>
    </message>
    <message>
        <source>To answer real customers, connect your shop&apos;s WhatsApp Business number with a Meta (Facebook) business account: choose “Connect WhatsApp…” in the “Practice mode” menu above.</source>
        <translation>Para atender a clientes reales, conecta el número de WhatsApp Business de tu negocio con una cuenta comercial de Meta (Facebook): elige «Conectar WhatsApp…» en el menú «Modo de prueba» de arriba.</translation>
    </message>
    <message>
        <source>Your WhatsApp Business number is already connected: press “Use real WhatsApp” to answer real customers.</source>
        <translation>Tu número de WhatsApp Business ya está conectado: presiona «Usar WhatsApp real» para atender a clientes reales.</translation>
    </message>
    <message>
        <source>Use real WhatsApp</source>
        <translation>Usar WhatsApp real</translation>
    </message>
    <message>
        <source>The bot is paused: customers get no automatic answers. You and your team can still answer from here.</source>
        <translation>El bot está en pausa: los clientes no reciben respuestas automáticas. Tú y tu equipo pueden seguir respondiendo desde aquí.</translation>
    </message>
    <message>
        <source>Resume bot</source>
        <translation>Reanudar bot</translation>
    </message>
    <message>
        <source>About WaBot</source>
        <translation>Acerca de WaBot</translation>
    </message>
    <message>
        <source>Back up…</source>
        <translation>Hacer una copia de seguridad…</translation>
    </message>
    <message>
        <source>Backups and information about WaBot</source>
        <translation>Copias de seguridad e información sobre WaBot</translation>
    </message>
    <message>
        <source>More</source>
        <translation>Más</translation>
    </message>
    <message>
        <source>Restore from a backup…</source>
        <translation>Restaurar una copia de seguridad…</translation>
    </message>
    <message>
        <source>Save the chats, settings and what the bot knows in one file</source>
        <translation>Guarda los chats, la configuración y lo que sabe el bot en un solo archivo</translation>
    </message>
    <message>
        <source>Connect WhatsApp…</source>
        <translation>Conectar WhatsApp…</translation>
    </message>
</context>
<context>
    <name>Monitor</name>
    <message>
        <source>Your name</source>
        <translation>Tu nombre</translation>
    </message>
    <message>
        <source>What is your name? It is shown next to your messages in this window so your team knows who answered. Customers do not see it.</source>
        <translation>¿Cómo te llamas? Tu nombre aparece junto a tus mensajes en esta ventana para que tu equipo sepa quién respondió. Los clientes no lo ven.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>NewCustomerDialog</name>
    <message>
        <source>New practice customer</source>
        <translation>Nuevo cliente de prueba</translation>
    </message>
    <message>
        <source>This customer only exists in practice mode. Nobody receives a message on this number.</source>
        <translation>Este cliente solo existe en el modo de prueba. Nadie recibe mensajes en este número.</translation>
    </message>
    <message>
        <source>For example: María López</source>
        <translation>Por ejemplo: María López</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Nombre:</translation>
    </message>
    <message>
        <source>Optional: WaBot makes one up</source>
        <translation>Opcional: WaBot inventa uno</translation>
    </message>
    <message>
        <source>WhatsApp number:</source>
        <translation>Número de WhatsApp:</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Crear</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Write the customer&apos;s name.</source>
        <translation>Escribe el nombre del cliente.</translation>
    </message>
    <message>
        <source>A WhatsApp number has 6 to 15 digits, with the country code (for example 52 55 1234 5678).</source>
        <translation>Un número de WhatsApp tiene de 6 a 15 dígitos, con el código de país (por ejemplo 52 55 1234 5678).</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>{name} is sending many messages</source>
        <translation>{name} está enviando muchos mensajes</translation>
    </message>
    <message>
        <source>The bot could not answer {name}</source>
        <translation>El bot no pudo responderle a {name}</translation>
    </message>
    <message>
        <source>{name} has been waiting for an answer</source>
        <translation>{name} lleva rato esperando respuesta</translation>
    </message>
    <message>
        <source>{name} wants to talk to a person</source>
        <translation>{name} quiere hablar con una persona</translation>
    </message>
    <message>
        <source>Click to open the chat and answer.</source>
        <translation>Haz clic para abrir el chat y responder.</translation>
    </message>
    <message>
        <source>New message from {name}</source>
        <translation>Nuevo mensaje de {name}</translation>
    </message>
</context>
<context>
    <name>PhoneBubbleDelegate</name>
    <message>
        <source>See options</source>
        <translation>Ver opciones</translation>
    </message>
</context>
<context>
    <name>PhoneChat</name>
    <message>
        <source>Photo</source>
        <translation>Foto</translation>
    </message>
    <message>
        <source>Voice message</source>
        <translation>Mensaje de voz</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Documento</translation>
    </message>
    <message>
        <source>Sticker</source>
        <translation>Sticker</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Ubicación</translation>
    </message>
    <message>
        <source>Contact card</source>
        <translation>Contacto</translation>
    </message>
    <message>
        <source>Reacted {emoji}</source>
        <translation>Reaccionó {emoji}</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Enviando…</translation>
    </message>
    <message>
        <source>Not delivered to WaBot</source>
        <translation>No llegó a WaBot</translation>
    </message>
    <message>
        <source>Read by the business</source>
        <translation>Leído por el negocio</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Entregado</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Tú</translation>
    </message>
    <message>
        <source>Business</source>
        <translation>Negocio</translation>
    </message>
</context>
<context>
    <name>PhonePane</name>
    <message>
        <source>Test customer</source>
        <translation>Cliente de prueba</translation>
    </message>
    <message>
        <source>WaBot did not receive this message (its webhook server did not answer). Try again in a moment.</source>
        <translation>WaBot no recibió este mensaje (su servidor de webhooks no respondió). Inténtalo de nuevo en un momento.</translation>
    </message>
    <message>
        <source>This could not be sent. The details were saved in WaBot&apos;s log file.</source>
        <translation>No se pudo enviar. Los detalles quedaron en el archivo de registro de WaBot.</translation>
    </message>
    <message>
        <source>typing…</source>
        <translation>escribiendo…</translation>
    </message>
    <message>
        <source>online</source>
        <translation>en línea</translation>
    </message>
    <message>
        <source>The bot is answering from your frequently asked questions. Its answers will be smarter with Ollama, the free AI program: download it from {link}, install it and restart WaBot.</source>
        <translation>El bot está respondiendo con tus preguntas frecuentes. Sus respuestas serán más inteligentes con Ollama, el programa de IA gratuito: descárgalo de {link}, instálalo y reinicia WaBot.</translation>
    </message>
    <message>
        <source>The bot is answering from your frequently asked questions: Ollama is running, but the AI model {model} is not downloaded yet.</source>
        <translation>El bot está respondiendo con tus preguntas frecuentes: Ollama está abierto, pero todavía falta descargar el modelo de IA {model}.</translation>
    </message>
</context>
<context>
    <name>PhonePaneView</name>
    <message>
        <source>Which fake customer you are writing as</source>
        <translation>El cliente inventado con el que escribes</translation>
    </message>
    <message>
        <source>New customer…</source>
        <translation>Nuevo cliente…</translation>
    </message>
    <message>
        <source>Customer&apos;s phone</source>
        <translation>Teléfono del cliente</translation>
    </message>
    <message>
        <source>Make up another customer, with a name and a phone number</source>
        <translation>Inventa otro cliente, con nombre y número de teléfono</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Cliente</translation>
    </message>
    <message>
        <source>online</source>
        <translation>en línea</translation>
    </message>
    <message>
        <source>Write in the box below as if you were a customer. Your message reaches the bot like a real WhatsApp message, and its answer shows up here and in the chat list.</source>
        <translation>Escribe en el cuadro de abajo como si fueras un cliente. Tu mensaje le llega al bot como un mensaje real de WhatsApp, y su respuesta aparece aquí y en la lista de chats.</translation>
    </message>
    <message>
        <source>Send a photo, a location or a voice message</source>
        <translation>Enviar una foto, una ubicación o un mensaje de voz</translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>Foto</translation>
    </message>
    <message>
        <source>A sample picture; what you typed in the box goes with it as its caption</source>
        <translation>Una imagen de ejemplo; lo que escribiste en el cuadro va con ella como texto</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Ubicación</translation>
    </message>
    <message>
        <source>Share a location pin, as from a phone&apos;s map</source>
        <translation>Compartir una ubicación, como desde el mapa del teléfono</translation>
    </message>
    <message>
        <source>Voice message</source>
        <translation>Mensaje de voz</translation>
    </message>
    <message>
        <source>A short voice message (a second of silence)</source>
        <translation>Un mensaje de voz corto (un segundo de silencio)</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
    <message>
        <source>Send as the customer (Enter)</source>
        <translation>Enviar como el cliente (Enter)</translation>
    </message>
</context>
<context>
    <name>PromptEditorWindow</name>
    <message>
        <source>What the bot knows and how it talks</source>
        <translation>Lo que sabe el bot y cómo habla</translation>
    </message>
    <message>
        <source>Short note for this version (what changed)</source>
        <translation>Nota breve para esta versión (qué cambió)</translation>
    </message>
    <message>
        <source>Save version</source>
        <translation>Guardar versión</translation>
    </message>
    <message>
        <source>Instructions for the bot. Click a chip to insert it.</source>
        <translation>Instrucciones para el bot. Haz clic en una variable para insertarla.</translation>
    </message>
    <message>
        <source>Preview: the prompt exactly as the model receives it</source>
        <translation>Vista previa: el texto exactamente como lo recibe el modelo</translation>
    </message>
    <message>
        <source>How the bot talks</source>
        <translation>Cómo habla el bot</translation>
    </message>
    <message>
        <source>Cash, transfer, card</source>
        <translation>Efectivo, transferencia, tarjeta</translation>
    </message>
    <message>
        <source>Empty = this computer&apos;s time zone</source>
        <translation>Vacío = la zona horaria de esta PC</translation>
    </message>
    <message>
        <source>Business name</source>
        <translation>Nombre del negocio</translation>
    </message>
    <message>
        <source>Monday</source>
        <translation>Lunes</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translation>Martes</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translation>Miércoles</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translation>Jueves</translation>
    </message>
    <message>
        <source>Friday</source>
        <translation>Viernes</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translation>Sábado</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translation>Domingo</translation>
    </message>
    <message>
        <source>09:00-13:00, 14:00-19:00 (empty = closed)</source>
        <translation>09:00-13:00, 14:00-19:00 (vacío = cerrado)</translation>
    </message>
    <message>
        <source>Closed dates</source>
        <translation>Días cerrado (feriados)</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Dirección</translation>
    </message>
    <message>
        <source>Map link</source>
        <translation>Enlace al mapa</translation>
    </message>
    <message>
        <source>Payment methods</source>
        <translation>Formas de pago</translation>
    </message>
    <message>
        <source>Time zone</source>
        <translation>Zona horaria</translation>
    </message>
    <message>
        <source>Delivery zones and costs (one per line: zone: cost)</source>
        <translation>Zonas de envío y costos (una por línea: zona: costo)</translation>
    </message>
    <message>
        <source>Policies (returns, orders, anything else)</source>
        <translation>Políticas (cambios, pedidos, otros datos)</translation>
    </message>
    <message>
        <source>Frequently asked questions</source>
        <translation>Preguntas frecuentes</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>Pregunta</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Respuesta</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Activa</translation>
    </message>
    <message>
        <source>Direct answer</source>
        <translation>Respuesta directa</translation>
    </message>
    <message>
        <source>Prices come from this list only; other amounts are never sent.</source>
        <translation>Los precios salen solo de esta lista; otros montos nunca se envían.</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>Producto</translation>
    </message>
    <message>
        <source>Variants</source>
        <translation>Variantes</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>Precio</translation>
    </message>
    <message>
        <source>Currency</source>
        <translation>Moneda</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>Disponible</translation>
    </message>
    <message>
        <source>Add question</source>
        <translation>Agregar pregunta</translation>
    </message>
    <message>
        <source>Add product</source>
        <translation>Agregar producto</translation>
    </message>
    <message>
        <source>Import CSV/Excel…</source>
        <translation>Importar CSV/Excel…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportar…</translation>
    </message>
    <message>
        <source>What the bot knows</source>
        <translation>Lo que sabe el bot</translation>
    </message>
    <message>
        <source>Greeting</source>
        <translation>Saludo</translation>
    </message>
    <message>
        <source>Away (outside hours)</source>
        <translation>Fuera de horario</translation>
    </message>
    <message>
        <source>Passing to a person</source>
        <translation>Pase a una persona</translation>
    </message>
    <message>
        <source>Opt-out confirmation</source>
        <translation>Confirmación de baja</translation>
    </message>
    <message>
        <source>Can&apos;t read this message</source>
        <translation>No puedo leer este mensaje</translation>
    </message>
    <message>
        <source>Fallback (no answer)</source>
        <translation>Respuesta de respaldo (sin respuesta)</translation>
    </message>
    <message>
        <source>Empty = the default text for the language (shown in grey).</source>
        <translation>Vacío = el texto predeterminado del idioma (se muestra en gris).</translation>
    </message>
    <message>
        <source>Greet new customers with the greeting</source>
        <translation>Saludar a los clientes nuevos con el saludo</translation>
    </message>
    <message>
        <source>Outside opening hours, send the away text instead of answering</source>
        <translation>Fuera de horario, enviar el texto de fuera de horario en lugar de responder</translation>
    </message>
    <message>
        <source>person, human, agent</source>
        <translation>persona, humano, asesor</translation>
    </message>
    <message>
        <source>Words that pass the chat to a person</source>
        <translation>Palabras que pasan el chat a una persona</translation>
    </message>
    <message>
        <source>Texts</source>
        <translation>Textos</translation>
    </message>
    <message>
        <source>Make this version active</source>
        <translation>Volver a esta versión</translation>
    </message>
    <message>
        <source>Choose a version to see what changed since it.</source>
        <translation>Elige una versión para ver qué cambió desde entonces.</translation>
    </message>
    <message>
        <source>Versions</source>
        <translation>Versiones</translation>
    </message>
    <message>
        <source>Talk to the local model with the unsaved draft.</source>
        <translation>Conversa con el modelo local usando el borrador sin guardar.</translation>
    </message>
    <message>
        <source>Write as a customer would…</source>
        <translation>Escribe como lo haría un cliente…</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <source>Try it</source>
        <translation>Probar</translation>
    </message>
    <message>
        <source>Example questions and what the answer must (not) contain.</source>
        <translation>Preguntas de ejemplo y lo que la respuesta debe (o no debe) decir.</translation>
    </message>
    <message>
        <source>Must contain</source>
        <translation>Debe contener</translation>
    </message>
    <message>
        <source>Must not contain</source>
        <translation>No debe contener</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Resultado</translation>
    </message>
    <message>
        <source>Add check</source>
        <translation>Agregar revisión</translation>
    </message>
    <message>
        <source>Test all</source>
        <translation>Probar todo</translation>
    </message>
    <message>
        <source>Checks</source>
        <translation>Revisiones</translation>
    </message>
    <message>
        <source>Unknown variables: {names}</source>
        <translation>Variables desconocidas: {names}</translation>
    </message>
    <message>
        <source>About {tokens} tokens of {context} in the model&apos;s context window</source>
        <translation>Unos {tokens} tokens de {context} en la ventana de contexto del modelo</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>Cambios</translation>
    </message>
    <message>
        <source>Version {id} saved: the bot uses it now.</source>
        <translation>Versión {id} guardada: el bot ya la usa.</translation>
    </message>
    <message>
        <source>(active)</source>
        <translation>(activa)</translation>
    </message>
    <message>
        <source>draft</source>
        <translation>borrador</translation>
    </message>
    <message>
        <source>No differences with the draft.</source>
        <translation>Sin diferencias con el borrador.</translation>
    </message>
    <message>
        <source>Version {old} is active again (as version {id}).</source>
        <translation>La versión {old} vuelve a estar activa (como versión {id}).</translation>
    </message>
    <message>
        <source>Import FAQ or price list</source>
        <translation>Importar preguntas frecuentes o lista de precios</translation>
    </message>
    <message>
        <source>Tables (*.csv *.xlsx)</source>
        <translation>Tablas (*.csv *.xlsx)</translation>
    </message>
    <message>
        <source>Could not read {file}: {error}</source>
        <translation>No se pudo leer {file}: {error}</translation>
    </message>
    <message>
        <source>Line {line}: {problem}</source>
        <translation>Línea {line}: {problem}</translation>
    </message>
    <message>
        <source>Nothing was imported; fix these rows and try again:</source>
        <translation>No se importó nada; corrige estas filas y vuelve a intentarlo:</translation>
    </message>
    <message>
        <source>Imported {count} rows from {file} (save a version to use them).</source>
        <translation>Se importaron {count} filas de {file} (guarda una versión para usarlas).</translation>
    </message>
    <message>
        <source>Export to folder</source>
        <translation>Exportar a la carpeta</translation>
    </message>
    <message>
        <source>Exported: {files}</source>
        <translation>Exportado: {files}</translation>
    </message>
    <message>
        <source>Customer: {text}</source>
        <translation>Cliente: {text}</translation>
    </message>
    <message>
        <source>Bot: </source>
        <translation>Bot: </translation>
    </message>
    <message>
        <source>The model did not answer: {error}</source>
        <translation>El modelo no respondió: {error}</translation>
    </message>
    <message>
        <source>First token after {ttft} ms · {rate} tokens/s</source>
        <translation>Primer token a los {ttft} ms · {rate} tokens/s</translation>
    </message>
    <message>
        <source>Pass</source>
        <translation>Pasa</translation>
    </message>
    <message>
        <source>Fail</source>
        <translation>Falla</translation>
    </message>
    <message>
        <source>{passed} of {total} checks pass.</source>
        <translation>Pasan {passed} de {total} revisiones.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Shop server</source>
        <translation>Servidor de la tienda</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <source>For example: Ana</source>
        <translation>Por ejemplo: Ana</translation>
    </message>
    <message>
        <source>Your name:</source>
        <translation>Tu nombre:</translation>
    </message>
    <message>
        <source>Shown next to your messages in this window. Customers do not see it.</source>
        <translation>Aparece junto a tus mensajes en esta ventana. Los clientes no lo ven.</translation>
    </message>
    <message>
        <source>Same as the computer</source>
        <translation>El de esta PC</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Idioma:</translation>
    </message>
    <message>
        <source>A new language is used the next time WaBot opens.</source>
        <translation>El nuevo idioma se usará la próxima vez que abras WaBot.</translation>
    </message>
    <message>
        <source>General</source>
        <translation>General</translation>
    </message>
    <message>
        <source>Type / and the shortcut in a chat to insert the text. {nombre} is replaced with the customer&apos;s first name.</source>
        <translation>Escribe / y el atajo en un chat para insertar el texto. {nombre} se reemplaza por el nombre del cliente.</translation>
    </message>
    <message>
        <source>Shortcut</source>
        <translation>Atajo</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Texto</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Agregar</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Quitar</translation>
    </message>
    <message>
        <source>Quick replies</source>
        <translation>Respuestas rápidas</translation>
    </message>
    <message>
        <source>Labels sort your chats, for example "Paid" or "Wholesale".</source>
        <translation>Las etiquetas ordenan tus chats, por ejemplo «Pagado» o «Mayoreo».</translation>
    </message>
    <message>
        <source>New label name</source>
        <translation>Nombre de la nueva etiqueta</translation>
    </message>
    <message>
        <source>Create label</source>
        <translation>Crear etiqueta</translation>
    </message>
    <message>
        <source>Delete selected label</source>
        <translation>Borrar la etiqueta elegida</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>Etiquetas</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Delete label</source>
        <translation>Borrar etiqueta</translation>
    </message>
    <message>
        <source>Delete the label "{name}"? Chats keep their messages.</source>
        <translation>¿Borrar la etiqueta «{name}»? Los chats conservan sus mensajes.</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Borrar</translation>
    </message>
    <message>
        <source>Keep</source>
        <translation>Conservar</translation>
    </message>
    <message>
        <source>AI model</source>
        <translation>Modelo de IA</translation>
    </message>
    <message>
        <source>Voice notes</source>
        <translation>Notas de voz</translation>
    </message>
    <message>
        <source>Conversations leave this PC for {host}.</source>
        <translation>Las conversaciones salen de esta PC hacia {host}.</translation>
    </message>
</context>
<context>
    <name>ShopBanner</name>
    <message>
        <source>No connection to the shop&apos;s server ({where}). Taking chats over and sending messages do not work until it answers again; the bot keeps answering customers on the server.</source>
        <translation>Sin conexión con el servidor de la tienda ({where}). No puedes tomar chats ni enviar mensajes hasta que vuelva a responder; el bot sigue atendiendo a los clientes en el servidor.</translation>
    </message>
    <message>
        <source>Trying again in {seconds} s…</source>
        <translation>Reintentando en {seconds} s…</translation>
    </message>
    <message>
        <source>Trying again…</source>
        <translation>Reintentando…</translation>
    </message>
</context>
<context>
    <name>ShopStatus</name>
    <message>
        <source>Connected to the shop: {where}</source>
        <translation>Conectado a la tienda: {where}</translation>
    </message>
    <message>
        <source>This PC shows the chats of the shop&apos;s server. The bot answers on the server.</source>
        <translation>Esta PC muestra los chats del servidor de la tienda. El bot responde en el servidor.</translation>
    </message>
    <message>
        <source>No connection to the shop: {where}</source>
        <translation>Sin conexión con la tienda: {where}</translation>
    </message>
    <message>
        <source>WaBot keeps trying to reach the shop&apos;s server.</source>
        <translation>WaBot sigue intentando llegar al servidor de la tienda.</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>Try sending again</source>
        <translation>Reintentar envío</translation>
    </message>
    <message>
        <source>Sending resumed: the waiting replies are going out.</source>
        <translation>Se reanudó el envío: las respuestas en espera están saliendo.</translation>
    </message>
    <message>
        <source>WhatsApp still rejects the connection. Check the token and try again.</source>
        <translation>WhatsApp sigue rechazando la conexión. Revisa el token y vuelve a intentarlo.</translation>
    </message>
    <message>
        <source>Database error</source>
        <translation>Error de base de datos</translation>
    </message>
    <message>
        <source>The chat history cannot be saved. Check free disk space.</source>
        <translation>No se puede guardar el historial. Revisa el espacio libre en el disco.</translation>
    </message>
    <message>
        <source>WhatsApp: connected</source>
        <translation>WhatsApp: conectado</translation>
    </message>
    <message>
        <source>WhatsApp: simulator</source>
        <translation>WhatsApp: modo de prueba</translation>
    </message>
    <message>
        <source>Practice mode: nothing is sent to real customers.</source>
        <translation>Modo de prueba: no se envía nada a clientes reales.</translation>
    </message>
    <message>
        <source>WhatsApp: sending stopped</source>
        <translation>WhatsApp: envío detenido</translation>
    </message>
    <message>
        <source>WhatsApp rejected the connection (for example, the access token expired). Messages wait in the outbox. Enter a new token in “Configure WhatsApp…” (the mode menu); sending resumes by itself.</source>
        <translation>WhatsApp rechazó la conexión (por ejemplo, venció el token de acceso). Los mensajes esperan en la bandeja de salida. Escribe un token nuevo en «Configurar WhatsApp…» (menú del modo) y el envío sigue solo.</translation>
    </message>
    <message>
        <source>WhatsApp: not reachable</source>
        <translation>WhatsApp: sin conexión</translation>
    </message>
    <message>
        <source>Check the internet connection and the WhatsApp settings.</source>
        <translation>Revisa la conexión a internet y los ajustes de WhatsApp.</translation>
    </message>
    <message>
        <source>WhatsApp: checking…</source>
        <translation>WhatsApp: comprobando…</translation>
    </message>
    <message>
        <source>WhatsApp delivers messages to this computer through {url}</source>
        <translation>WhatsApp entrega los mensajes a esta PC a través de {url}</translation>
    </message>
    <message>
        <source>Public link: on</source>
        <translation>Enlace público: activo</translation>
    </message>
    <message>
        <source>Public link: connecting…</source>
        <translation>Enlace público: conectando…</translation>
    </message>
    <message>
        <source>Public link: down, retrying</source>
        <translation>Enlace público: caído, reintentando</translation>
    </message>
    <message>
        <source>Customers&apos; messages wait at WhatsApp until the link is back.</source>
        <translation>Los mensajes de los clientes esperan en WhatsApp hasta que vuelva el enlace.</translation>
    </message>
    <message>
        <source>Public link: ngrok is missing</source>
        <translation>Enlace público: falta ngrok</translation>
    </message>
    <message>
        <source>Public link: ngrok key rejected</source>
        <translation>Enlace público: clave de ngrok rechazada</translation>
    </message>
    <message>
        <source>Public link: error</source>
        <translation>Enlace público: error</translation>
    </message>
    <message>
        <source>Public link: off</source>
        <translation>Enlace público: apagado</translation>
    </message>
    <message>
        <source>No tunnel is running (own public address or practice mode).</source>
        <translation>No hay túnel activo (dirección pública propia o modo de prueba).</translation>
    </message>
    <message>
        <source>AI: {model} ready</source>
        <translation>IA: {model} lista</translation>
    </message>
    <message>
        <source>AI: {model} loading…</source>
        <translation>IA: cargando {model}…</translation>
    </message>
    <message>
        <source>AI: model {model} missing</source>
        <translation>IA: falta el modelo {model}</translation>
    </message>
    <message>
        <source>Download it with “ollama pull {model}” in a terminal, or choose another model.</source>
        <translation>Descárgalo con «ollama pull {model}» en una terminal, o elige otro modelo.</translation>
    </message>
    <message>
        <source>AI: paused after errors</source>
        <translation>IA: en pausa por errores</translation>
    </message>
    <message>
        <source>The AI failed several times. WaBot tries again shortly.</source>
        <translation>La IA falló varias veces. WaBot lo intentará de nuevo en breve.</translation>
    </message>
    <message>
        <source>AI: Ollama is not running</source>
        <translation>IA: Ollama no está abierto</translation>
    </message>
    <message>
        <source>Start Ollama. Meanwhile the bot answers from your FAQ or hands chats to a person.</source>
        <translation>Abre Ollama. Mientras tanto, el bot responde con tus preguntas frecuentes o pasa los chats a una persona.</translation>
    </message>
    <message>
        <source>AI: checking…</source>
        <translation>IA: comprobando…</translation>
    </message>
    <message>
        <source>Outbox: {queued} waiting, {failed} failed</source>
        <translation>Salida: {queued} en espera, {failed} fallidos</translation>
    </message>
    <message>
        <source>Failed messages show a red mark and the reason in their chat.</source>
        <translation>Los mensajes fallidos muestran una marca roja y el motivo en su chat.</translation>
    </message>
    <message>
        <source>Outbox: {queued} waiting</source>
        <translation>Salida: {queued} en espera</translation>
    </message>
    <message>
        <source>Outbox: all sent</source>
        <translation>Salida: todo enviado</translation>
    </message>
    <message>
        <source>AI: the model server is not reachable</source>
        <translation>IA: el servidor del modelo no responde</translation>
    </message>
    <message>
        <source>Check that the model server is running and its address.</source>
        <translation>Revisa que el servidor del modelo esté abierto y que la dirección sea la correcta.</translation>
    </message>
    <message>
        <source>Conversations leave this PC for {host}.</source>
        <translation>Las conversaciones salen de esta PC hacia {host}.</translation>
    </message>
    <message>
        <source>AI: {model} ready, outside this PC</source>
        <translation>IA: {model} lista, fuera de esta PC</translation>
    </message>
</context>
<context>
    <name>TemplateDialog</name>
    <message>
        <source>Send a template</source>
        <translation>Enviar una plantilla</translation>
    </message>
    <message>
        <source>Templates are messages approved by WhatsApp. They are the only messages you can send when the customer has not written for more than 24 hours.</source>
        <translation>Las plantillas son mensajes aprobados por WhatsApp. Son lo único que puedes enviar cuando el cliente no escribe hace más de 24 horas.</translation>
    </message>
    <message>
        <source>The customer will receive:</source>
        <translation>El cliente recibirá:</translation>
    </message>
    <message>
        <source>Refresh list</source>
        <translation>Actualizar lista</translation>
    </message>
    <message>
        <source>Send template</source>
        <translation>Enviar plantilla</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Loading templates…</source>
        <translation>Cargando plantillas…</translation>
    </message>
    <message>
        <source>Asking WhatsApp for the current templates…</source>
        <translation>Consultando a WhatsApp las plantillas actuales…</translation>
    </message>
    <message>
        <source>{name}  ({language})</source>
        <translation>{name}  ({language})</translation>
    </message>
    <message>
        <source>There are no approved templates. Create them in WhatsApp Manager.</source>
        <translation>No hay plantillas aprobadas. Créalas en el Administrador de WhatsApp.</translation>
    </message>
    <message>
        <source>Value {number}:</source>
        <translation>Valor {number}:</translation>
    </message>
</context>
<context>
    <name>Texts</name>
    <message>
        <source>Unknown customer</source>
        <translation>Cliente sin nombre</translation>
    </message>
    <message>
        <source>Wants a person</source>
        <translation>Pide una persona</translation>
    </message>
    <message>
        <source>Staff: {name}</source>
        <translation>Atiende {name}</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Personal</translation>
    </message>
    <message>
        <source>Bot</source>
        <translation>Bot</translation>
    </message>
    <message>
        <source>The customer asked for a person. The bot is silent until someone answers.</source>
        <translation>El cliente pidió una persona. El bot no responde hasta que alguien atienda.</translation>
    </message>
    <message>
        <source>{name} is answering this chat. The bot is silent.</source>
        <translation>{name} atiende este chat. El bot no responde.</translation>
    </message>
    <message>
        <source>Staff are answering this chat. The bot is silent.</source>
        <translation>El personal atiende este chat. El bot no responde.</translation>
    </message>
    <message>
        <source>The bot is answering this chat.</source>
        <translation>El bot atiende este chat.</translation>
    </message>
    <message>
        <source>Bot: </source>
        <translation>Bot: </translation>
    </message>
    <message>
        <source>{name}: </source>
        <translation>{name}: </translation>
    </message>
    <message>
        <source>Staff: </source>
        <translation>Personal: </translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>Foto</translation>
    </message>
    <message>
        <source>Voice message</source>
        <translation>Mensaje de voz</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>Documento</translation>
    </message>
    <message>
        <source>Sticker</source>
        <translation>Sticker</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Ubicación</translation>
    </message>
    <message>
        <source>Contact card</source>
        <translation>Contacto</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Pedido</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Plantilla</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
    <message>
        <source>This message type cannot be shown here. Open WhatsApp on your phone to see it.</source>
        <translation>Este tipo de mensaje no se puede mostrar aquí. Ábrelo en WhatsApp en tu teléfono.</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>Esperando envío</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Enviado</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Entregado</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Leído</translation>
    </message>
    <message>
        <source>Not sent</source>
        <translation>No enviado</translation>
    </message>
    <message>
        <source>Not sent: more than 24 hours since the customer&apos;s last message.</source>
        <translation>No enviado: pasaron más de 24 horas desde el último mensaje del cliente.</translation>
    </message>
    <message>
        <source>Not delivered: this number cannot receive WhatsApp messages.</source>
        <translation>No entregado: este número no puede recibir mensajes de WhatsApp.</translation>
    </message>
    <message>
        <source>Not delivered: WhatsApp limits how many marketing messages a person gets.</source>
        <translation>No entregado: WhatsApp limita cuántos mensajes de marketing recibe cada persona.</translation>
    </message>
    <message>
        <source>Not delivered: the customer stopped marketing messages.</source>
        <translation>No entregado: el cliente desactivó los mensajes de marketing.</translation>
    </message>
    <message>
        <source>Not sent: too many messages in a short time. Try again in a few minutes.</source>
        <translation>No enviado: demasiados mensajes en poco tiempo. Intenta de nuevo en unos minutos.</translation>
    </message>
    <message>
        <source>Not sent: the file could not be processed.</source>
        <translation>No enviado: no se pudo procesar el archivo.</translation>
    </message>
    <message>
        <source>Not sent: the WhatsApp connection expired. Enter a new token in “Configure WhatsApp…” (the mode menu), then try sending again.</source>
        <translation>No enviado: venció la conexión con WhatsApp. Escribe un token nuevo en «Configurar WhatsApp…» (menú del modo) y vuelve a intentar el envío.</translation>
    </message>
    <message>
        <source>Not sent: Meta has restricted this WhatsApp account.</source>
        <translation>No enviado: Meta restringió esta cuenta de WhatsApp.</translation>
    </message>
    <message>
        <source>Not sent: the template does not exist or its values are wrong.</source>
        <translation>No enviado: la plantilla no existe o sus valores son incorrectos.</translation>
    </message>
    <message>
        <source>Not sent (WhatsApp error {code}).</source>
        <translation>No enviado (error de WhatsApp {code}).</translation>
    </message>
    <message>
        <source>Not sent ({reason}).</source>
        <translation>No enviado ({reason}).</translation>
    </message>
    <message>
        <source>Not sent.</source>
        <translation>No enviado.</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>Ayer</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Hoy</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>Open WaBot</source>
        <translation>Abrir WaBot</translation>
    </message>
    <message>
        <source>Pause bot</source>
        <translation>Pausar bot</translation>
    </message>
    <message>
        <source>Quit WaBot (the bot stops)</source>
        <translation>Salir de WaBot (el bot se detiene)</translation>
    </message>
    <message>
        <source>Bot paused</source>
        <translation>Bot en pausa</translation>
    </message>
    <message>
        <source>Bot answering</source>
        <translation>Bot respondiendo</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>conectado</translation>
    </message>
    <message>
        <source>not connected</source>
        <translation>sin conexión</translation>
    </message>
    <message numerus="yes">
        <source>%n chat(s) unread</source>
        <translation>
            <numerusform>%n chat sin leer</numerusform>
            <numerusform>%n chats sin leer</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n waiting for a person</source>
        <translation>
            <numerusform>%n espera a una persona</numerusform>
            <numerusform>%n esperan a una persona</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LlmPage</name>
    <message>
        <source>The program that runs the AI model that answers your customers. Changes are used from the next message on, without restarting.</source>
        <translation>El programa que ejecuta el modelo de IA que responde a tus clientes. Los cambios se usan desde el próximo mensaje, sin reiniciar.</translation>
    </message>
    <message>
        <source>Ollama</source>
        <translation>Ollama</translation>
    </message>
    <message>
        <source>OpenAI-compatible server</source>
        <translation>Servidor compatible con OpenAI</translation>
    </message>
    <message>
        <source>Model server:</source>
        <translation>Servidor del modelo:</translation>
    </message>
    <message>
        <source>Another server (type its address)</source>
        <translation>Otro servidor (escribe la dirección)</translation>
    </message>
    <message>
        <source>Program:</source>
        <translation>Programa:</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Dirección:</translation>
    </message>
    <message>
        <source>This address is a computer of my own network (it does not go to the internet)</source>
        <translation>Esta dirección es de una PC de mi propia red (no sale a internet)</translation>
    </message>
    <message>
        <source>Refresh list</source>
        <translation>Actualizar lista</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Modelo:</translation>
    </message>
    <message>
        <source>API key:</source>
        <translation>Clave de API:</translation>
    </message>
    <message>
        <source>Paste a new key to store or replace it</source>
        <translation>Pega una clave nueva para guardarla o reemplazarla</translation>
    </message>
    <message>
        <source>Store key</source>
        <translation>Guardar la clave</translation>
    </message>
    <message>
        <source>Delete key</source>
        <translation>Borrar la clave</translation>
    </message>
    <message>
        <source>Optional for servers on this PC. The key is kept in the system&apos;s keyring, never in WaBot&apos;s files.</source>
        <translation>Opcional para servidores en esta PC. La clave se guarda en el llavero del sistema, nunca en los archivos de WaBot.</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> tokens</translation>
    </message>
    <message>
        <source>What the server uses</source>
        <translation>Lo que use el servidor</translation>
    </message>
    <message>
        <source>Context size:</source>
        <translation>Tamaño del contexto:</translation>
    </message>
    <message>
        <source>How much of the conversation the model reads. Bigger remembers more but needs more memory.</source>
        <translation>Cuánto de la conversación lee el modelo. Más grande recuerda más, pero necesita más memoria.</translation>
    </message>
    <message>
        <source>Conversations leave this PC for {host}: your customers&apos; messages are sent to that server.</source>
        <translation>Las conversaciones salen de esta PC hacia {host}: los mensajes de tus clientes se envían a ese servidor.</translation>
    </message>
    <message>
        <source>Type the server&apos;s address.</source>
        <translation>Escribe la dirección del servidor.</translation>
    </message>
    <message>
        <source>Asking the server for its models…</source>
        <translation>Preguntando al servidor por sus modelos…</translation>
    </message>
    <message>
        <source>The server answered with an error (is the key right?). Type the model name yourself.</source>
        <translation>El servidor respondió con un error (¿la clave es correcta?). Escribe tú el nombre del modelo.</translation>
    </message>
    <message>
        <source>The server does not answer at this address. Is it running?</source>
        <translation>El servidor no responde en esta dirección. ¿Está en marcha?</translation>
    </message>
    <message>
        <source>This server does not list its models: type the model&apos;s name.</source>
        <translation>Este servidor no muestra sus modelos: escribe el nombre del modelo.</translation>
    </message>
    <message>
        <source>The server has no models yet.</source>
        <translation>El servidor todavía no tiene modelos.</translation>
    </message>
    <message numerus="yes">
        <source>%n model(s) on the server.</source>
        <translation>
            <numerusform>%n modelo en el servidor.</numerusform>
            <numerusform>%n modelos en el servidor.</numerusform>
        </translation>
    </message>
    <message>
        <source>A key is stored in the system&apos;s keyring.</source>
        <translation>Hay una clave guardada en el llavero del sistema.</translation>
    </message>
    <message>
        <source>No key stored.</source>
        <translation>No hay ninguna clave guardada.</translation>
    </message>
    <message>
        <source>Replace key</source>
        <translation>Reemplazar la clave</translation>
    </message>
    <message>
        <source>{name} needs a key (a token of your account). It is kept in the system&apos;s keyring, never in WaBot&apos;s files.</source>
        <translation>{name} necesita una clave (un token de tu cuenta). Se guarda en el llavero del sistema, nunca en los archivos de WaBot.</translation>
    </message>
    <message>
        <source>This PC has no usable keyring, so the key cannot be stored.</source>
        <translation>Esta PC no tiene un llavero del sistema que funcione, así que la clave no se puede guardar.</translation>
    </message>
</context>
<context>
    <name>VoiceModelPicker</name>
    <message>
        <source>Folder with model.bin and config.json</source>
        <translation>Carpeta con model.bin y config.json</translation>
    </message>
    <message>
        <source>Choose folder…</source>
        <translation>Elegir carpeta…</translation>
    </message>
    <message>
        <source>Download now</source>
        <translation>Descargar ahora</translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation>Cancelar la descarga</translation>
    </message>
    <message>
        <source>Off: answer that the bot cannot listen to audio</source>
        <translation>Apagado: responder que el bot no puede escuchar audios</translation>
    </message>
    <message>
        <source>base: light, for a modest PC</source>
        <translation>base: liviano, para una PC modesta</translation>
    </message>
    <message>
        <source>small: good Spanish on a normal PC</source>
        <translation>small: buen español en una PC normal</translation>
    </message>
    <message>
        <source>large-v3-turbo: the best, for a strong PC</source>
        <translation>large-v3-turbo: el mejor, para una PC potente</translation>
    </message>
    <message>
        <source>{model} (uses about {ram} GB of memory)</source>
        <translation>{model} (usa unos {ram} GB de memoria)</translation>
    </message>
    <message>
        <source>recommended for this PC</source>
        <translation>recomendado para esta PC</translation>
    </message>
    <message>
        <source>A model in a folder of this PC (offline install)</source>
        <translation>Un modelo en una carpeta de esta PC (instalación sin internet)</translation>
    </message>
    <message>
        <source>Folder of the voice model</source>
        <translation>Carpeta del modelo de voz</translation>
    </message>
    <message>
        <source>Voice notes cannot be transcribed on this PC (faster-whisper is missing).</source>
        <translation>En esta PC no se pueden transcribir notas de voz (falta faster-whisper).</translation>
    </message>
    <message>
        <source>Voice notes get the "can&apos;t listen" reply or go to a person, as chosen below.</source>
        <translation>Las notas de voz reciben la respuesta «no puedo escuchar audios» o pasan a una persona, según lo que elijas abajo.</translation>
    </message>
    <message>
        <source>Choose the folder where the model is.</source>
        <translation>Elige la carpeta donde está el modelo.</translation>
    </message>
    <message>
        <source>The folder holds a voice model: ready.</source>
        <translation>La carpeta tiene un modelo de voz: listo.</translation>
    </message>
    <message>
        <source>This folder does not hold a voice model (model.bin and config.json).</source>
        <translation>Esta carpeta no tiene un modelo de voz (model.bin y config.json).</translation>
    </message>
    <message>
        <source>Downloaded: ready on this PC.</source>
        <translation>Descargado: listo en esta PC.</translation>
    </message>
    <message>
        <source>Not on this PC yet ({size} MB). Download it now, or it downloads by itself when the first voice note arrives.</source>
        <translation>Todavía no está en esta PC ({size} MB). Descárgalo ahora, o se descarga solo cuando llegue la primera nota de voz.</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Conectando…</translation>
    </message>
    <message>
        <source>Downloading {model}…</source>
        <translation>Descargando {model}…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Cancelando…</translation>
    </message>
    <message>
        <source>Download cancelled.</source>
        <translation>Descarga cancelada.</translation>
    </message>
    <message>
        <source>The download failed. Check the internet connection and try again.</source>
        <translation>La descarga falló. Revisa la conexión a internet y vuelve a intentarlo.</translation>
    </message>
    <message>
        <source>Download complete.</source>
        <translation>Descarga completa.</translation>
    </message>
    <message>
        <source>{done} MB of {total} MB · {speed} MB/s</source>
        <translation>{done} MB de {total} MB · {speed} MB/s</translation>
    </message>
    <message>
        <source>{done} MB · {speed} MB/s</source>
        <translation>{done} MB · {speed} MB/s</translation>
    </message>
</context>
<context>
    <name>VoicePage</name>
    <message>
        <source>Customers&apos; voice notes are turned into text on this PC (nothing is sent anywhere), and the bot answers what they said.</source>
        <translation>Las notas de voz de los clientes se pasan a texto en esta PC (no se envían a ningún lado) y el bot responde lo que dijeron.</translation>
    </message>
    <message>
        <source>Voice model:</source>
        <translation>Modelo de voz:</translation>
    </message>
    <message>
        <source>Half of the PC&apos;s cores</source>
        <translation>La mitad de los núcleos de la PC</translation>
    </message>
    <message>
        <source>Processor cores:</source>
        <translation>Núcleos del procesador:</translation>
    </message>
    <message>
        <source>Fewer cores leave the PC freer for other work; the text takes longer.</source>
        <translation>Con menos núcleos la PC queda más libre para otras tareas; el texto tarda más.</translation>
    </message>
    <message>
        <source> seconds</source>
        <translation> segundos</translation>
    </message>
    <message>
        <source>Longest voice note:</source>
        <translation>Nota de voz más larga:</translation>
    </message>
    <message>
        <source>A longer voice note goes to a person instead of keeping the PC busy.</source>
        <translation>Una nota de voz más larga pasa a una persona en lugar de tener ocupada la PC.</translation>
    </message>
    <message>
        <source>Reply that the bot cannot listen to audio and ask for text</source>
        <translation>Responder que el bot no puede escuchar audios y pedir texto</translation>
    </message>
    <message>
        <source>Pass the chat to a person</source>
        <translation>Pasar el chat a una persona</translation>
    </message>
    <message>
        <source>When a voice note cannot be understood:</source>
        <translation>Cuando una nota de voz no se entiende:</translation>
    </message>
</context>
<context>
    <name>CheckRow</name>
    <message>
        <source>Open the page</source>
        <translation>Abrir la página</translation>
    </message>
    <message>
        <source>details</source>
        <translation>detalles</translation>
    </message>
</context>
<context>
    <name>ConnectMetaPage</name>
    <message>
        <source>The app&apos;s subscription (recommended)</source>
        <translation>La suscripción de la app (recomendado)</translation>
    </message>
    <message>
        <source>Only this phone number (override)</source>
        <translation>Solo este número (dirección propia del número)</translation>
    </message>
    <message>
        <source>Stop waiting</source>
        <translation>Dejar de esperar</translation>
    </message>
    <message>
        <source>Wait for my message again</source>
        <translation>Esperar mi mensaje de nuevo</translation>
    </message>
    <message>
        <source>Now send any message from your own phone to the business number {number}. Waiting… {seconds} s left.</source>
        <translation>Ahora envía cualquier mensaje desde tu propio teléfono al número del negocio {number}. Esperando… quedan {seconds} s.</translation>
    </message>
</context>
<context>
    <name>DetailsDialog</name>
    <message>
        <source>Details: {check}</source>
        <translation>Detalles: {check}</translation>
    </message>
    <message>
        <source>What WaBot sent and what it got back. Passwords, tokens and the PIN are replaced by ***, so you can send this to whoever helps you.</source>
        <translation>Lo que WaBot envió y lo que recibió. Las claves, los tokens y el PIN aparecen como ***, así que puedes enviar esto a quien te ayude.</translation>
    </message>
    <message>
        <source>This check made no request.</source>
        <translation>Esta verificación no hizo ningún pedido.</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copiar</translation>
    </message>
</context>
<context>
    <name>DonePage</name>
    <message>
        <source>Number: {number} ({name})</source>
        <translation>Número: {number} ({name})</translation>
    </message>
    <message>
        <source>Public address: {url}</source>
        <translation>Dirección pública: {url}</translation>
    </message>
    <message>
        <source>Model: {model} (context {ctx})</source>
        <translation>Modelo: {model} (contexto {ctx})</translation>
    </message>
    <message>
        <source>Shop: {name}</source>
        <translation>Tienda: {name}</translation>
    </message>
    <message>
        <source>The bot answers from day one</source>
        <translation>El bot responde desde el primer día</translation>
    </message>
    <message>
        <source>Staff answers first (the bot starts paused)</source>
        <translation>Responde el personal primero (el bot empieza en pausa)</translation>
    </message>
</context>
<context>
    <name>ModelPage</name>
    <message>
        <source>Download model</source>
        <translation>Descargar modelo</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> tokens</translation>
    </message>
    <message>
        <source>Set explicitly: Ollama uses 4,096 by default on most PCs and silently cuts longer prompts.</source>
        <translation>Se indica siempre: Ollama usa 4096 por defecto en la mayoría de las PC y corta sin avisar los textos más largos.</translation>
    </message>
    <message>
        <source>installed</source>
        <translation>instalado</translation>
    </message>
    <message>
        <source>recommended</source>
        <translation>recomendado</translation>
    </message>
    <message>
        <source>fits this PC</source>
        <translation>cabe en esta PC</translation>
    </message>
    <message>
        <source>too big for this PC</source>
        <translation>muy grande para esta PC</translation>
    </message>
    <message>
        <source>This PC has {ram} GB of memory: {model} fits this PC.</source>
        <translation>Esta PC tiene {ram} GB de memoria: {model} cabe en esta PC.</translation>
    </message>
    <message>
        <source>The memory of this PC could not be read: {model} is the safe choice.</source>
        <translation>No se pudo leer la memoria de esta PC: {model} es la opción segura.</translation>
    </message>
    <message>
        <source>Model server:</source>
        <translation>Servidor del modelo:</translation>
    </message>
    <message>
        <source>Ollama on this PC</source>
        <translation>Ollama en esta PC</translation>
    </message>
    <message>
        <source>Another OpenAI-compatible server</source>
        <translation>Otro servidor compatible con OpenAI</translation>
    </message>
    <message>
        <source>Another server (type its address)</source>
        <translation>Otro servidor (escribe la dirección)</translation>
    </message>
    <message>
        <source>Program:</source>
        <translation>Programa:</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Dirección:</translation>
    </message>
    <message>
        <source>Refresh list</source>
        <translation>Actualizar lista</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Modelo:</translation>
    </message>
    <message>
        <source>Optional for servers on this PC</source>
        <translation>Opcional para servidores de esta PC</translation>
    </message>
    <message>
        <source>API key:</source>
        <translation>Clave de API:</translation>
    </message>
    <message>
        <source>The key is kept in the system&apos;s keyring when you finish, never in WaBot&apos;s files.</source>
        <translation>La clave se guarda en el llavero del sistema al terminar, nunca en los archivos de WaBot.</translation>
    </message>
    <message>
        <source>What the server uses</source>
        <translation>Lo que use el servidor</translation>
    </message>
    <message>
        <source>Context size:</source>
        <translation>Tamaño del contexto:</translation>
    </message>
    <message>
        <source>Conversations leave this PC for {host}: your customers&apos; messages are sent to that server.</source>
        <translation>Las conversaciones salen de esta PC hacia {host}: los mensajes de tus clientes se envían a ese servidor.</translation>
    </message>
    <message>
        <source>Asking the server for its models…</source>
        <translation>Preguntando al servidor por sus modelos…</translation>
    </message>
    <message>
        <source>This server does not list its models: type the model&apos;s name.</source>
        <translation>Este servidor no muestra sus modelos: escribe el nombre del modelo.</translation>
    </message>
    <message>
        <source>Voice notes:</source>
        <translation>Notas de voz:</translation>
    </message>
    <message numerus="yes">
        <source>%n model(s) on the server.</source>
        <translation>
            <numerusform>%n modelo en el servidor.</numerusform>
            <numerusform>%n modelos en el servidor.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProgressRow</name>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>PublicAddressPage</name>
    <message>
        <source>ngrok (free, recommended)</source>
        <translation>ngrok (gratis, recomendado)</translation>
    </message>
    <message>
        <source>I have my own HTTPS address</source>
        <translation>Tengo mi propia dirección HTTPS</translation>
    </message>
    <message>
        <source>Download ngrok</source>
        <translation>Descargar ngrok</translation>
    </message>
    <message>
        <source>It is installed: choose the program…</source>
        <translation>Ya lo tengo: elegir el programa…</translation>
    </message>
    <message>
        <source>ngrok program</source>
        <translation>Programa ngrok</translation>
    </message>
    <message>
        <source>ngrok is on this PC: {path}</source>
        <translation>ngrok está en esta PC: {path}</translation>
    </message>
    <message>
        <source>Download again</source>
        <translation>Descargar de nuevo</translation>
    </message>
    <message>
        <source>ngrok is not on this PC yet. WaBot downloads it (about 10 MB) from ngrok&apos;s official address the first time.</source>
        <translation>ngrok todavía no está en esta PC. WaBot lo descarga (unos 10 MB) de la dirección oficial de ngrok la primera vez.</translation>
    </message>
    <message>
        <source>Choose the ngrok program</source>
        <translation>Elegir el programa ngrok</translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <source>Connect WhatsApp</source>
        <translation>Conectar WhatsApp</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Verificar</translation>
    </message>
    <message>
        <source>Check and continue</source>
        <translation>Verificar y seguir</translation>
    </message>
    <message>
        <source>Not needed now: WaBot is live and keeps this step up to date.</source>
        <translation>No hace falta ahora: WaBot está conectado y mantiene este paso al día.</translation>
    </message>
    <message>
        <source>Save and go live</source>
        <translation>Guardar y conectar</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Empezar</translation>
    </message>
    <message>
        <source>Continue anyway</source>
        <translation>Continuar de todos modos</translation>
    </message>
</context>
<context>
    <name>ShopPage</name>
    <message>
        <source>Use this PC as a staff PC: it shows the chats of your shop&apos;s server, and you take them over and answer from here. The bot keeps answering on the server; this PC runs no bot, no webhook and no tunnel of its own.</source>
        <translation>Usa esta PC como puesto de atención: muestra los chats del servidor de tu tienda, y desde aquí los tomas y respondes. El bot sigue respondiendo en el servidor; esta PC no ejecuta bot, webhook ni túnel propios.</translation>
    </message>
    <message>
        <source>For example: 192.168.1.20 or server.local</source>
        <translation>Por ejemplo: 192.168.1.20 o servidor.local</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>Servidor:</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Puerto:</translation>
    </message>
    <message>
        <source>Database:</source>
        <translation>Base de datos:</translation>
    </message>
    <message>
        <source>User:</source>
        <translation>Usuario:</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>Contraseña:</translation>
    </message>
    <message>
        <source>Kept in this PC&apos;s secure password store, never in a file.</source>
        <translation>Se guarda en el llavero seguro del sistema de esta PC, nunca en un archivo.</translation>
    </message>
    <message>
        <source>Encrypt the connection (TLS)</source>
        <translation>Cifrar la conexión (TLS)</translation>
    </message>
    <message>
        <source>Without encryption, the chats and the password travel readable over the network. Use it only inside your shop&apos;s own trusted network.</source>
        <translation>Sin cifrado, los chats y la contraseña viajan legibles por la red. Úsalo solo dentro de la red de confianza de tu tienda.</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Probar conexión</translation>
    </message>
    <message>
        <source>Connect to the shop</source>
        <translation>Conectar a la tienda</translation>
    </message>
    <message>
        <source>Run the bot on this PC</source>
        <translation>Usar el bot en esta PC</translation>
    </message>
    <message>
        <source>Stored in the password store (type to change it)</source>
        <translation>Guardada en el almacén de contraseñas (escribe para cambiarla)</translation>
    </message>
    <message>
        <source>Connected to the shop: {where}</source>
        <translation>Conectado a la tienda: {where}</translation>
    </message>
    <message>
        <source>Connect again</source>
        <translation>Volver a conectar</translation>
    </message>
    <message>
        <source>This PC runs the bot itself (it is not connected to a shop&apos;s server).</source>
        <translation>Esta PC ejecuta el bot ella misma (no está conectada al servidor de una tienda).</translation>
    </message>
    <message>
        <source>Connect without encryption?</source>
        <translation>¿Conectar sin cifrado?</translation>
    </message>
    <message>
        <source>Without TLS, anyone on the network between this PC and the server can read the chats and the database password.</source>
        <translation>Sin TLS, cualquiera en la red entre esta PC y el servidor puede leer los chats y la contraseña de la base de datos.</translation>
    </message>
    <message>
        <source>Do it only inside your shop&apos;s own network, and only if the server cannot offer TLS.</source>
        <translation>Hazlo solo dentro de la red de tu tienda, y solo si el servidor no puede ofrecer TLS.</translation>
    </message>
    <message>
        <source>Turn encryption off</source>
        <translation>Desactivar el cifrado</translation>
    </message>
    <message>
        <source>Keep encryption</source>
        <translation>Mantener el cifrado</translation>
    </message>
    <message>
        <source>Testing the connection…</source>
        <translation>Probando la conexión…</translation>
    </message>
    <message>
        <source>Connecting to the shop&apos;s server…</source>
        <translation>Conectando al servidor de la tienda…</translation>
    </message>
    <message>
        <source>Connected. The chats you see now are the shop&apos;s.</source>
        <translation>Conectado. Los chats que ves ahora son los de la tienda.</translation>
    </message>
    <message>
        <source>Run the bot on this PC?</source>
        <translation>¿Usar el bot en esta PC?</translation>
    </message>
    <message>
        <source>This PC stops showing the shop&apos;s chats and runs its own bot again (with this PC&apos;s WhatsApp connection, or in practice mode).</source>
        <translation>Esta PC deja de mostrar los chats de la tienda y vuelve a ejecutar su propio bot (con la conexión de WhatsApp de esta PC, o en modo práctica).</translation>
    </message>
    <message>
        <source>The shop&apos;s server keeps answering its customers. The saved connection and its password are removed from this PC.</source>
        <translation>El servidor de la tienda sigue atendiendo a sus clientes. La conexión guardada y su contraseña se borran de esta PC.</translation>
    </message>
    <message>
        <source>Run the bot here</source>
        <translation>Usar el bot aquí</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>This PC runs the bot again.</source>
        <translation>Esta PC vuelve a ejecutar el bot.</translation>
    </message>
    <message>
        <source>The connection is encrypted (TLS).</source>
        <translation>La conexión está cifrada (TLS).</translation>
    </message>
    <message>
        <source>The connection is not encrypted.</source>
        <translation>La conexión no está cifrada.</translation>
    </message>
    <message>
        <source>The connection works: PostgreSQL {version}, {count} chats. {tls}</source>
        <translation>La conexión funciona: PostgreSQL {version}, {count} chats. {tls}</translation>
    </message>
    <message>
        <source>The server refused the user or the password. Check both and try again.</source>
        <translation>El servidor rechazó el usuario o la contraseña. Revisa ambos y vuelve a intentarlo.</translation>
    </message>
    <message>
        <source>The server does not answer. Check the address and the port, that the server is on, and that this PC is connected to the shop&apos;s network.</source>
        <translation>El servidor no responde. Revisa la dirección y el puerto, que el servidor esté encendido y que esta PC esté conectada a la red de la tienda.</translation>
    </message>
    <message>
        <source>The server has no database with that name. Check the name with whoever set up the server.</source>
        <translation>El servidor no tiene una base de datos con ese nombre. Confirma el nombre con quien configuró el servidor.</translation>
    </message>
    <message>
        <source>The server does not accept encrypted connections (TLS). Turn TLS on in the server&apos;s PostgreSQL, or, only inside a trusted shop network, untick “Encrypt the connection”.</source>
        <translation>El servidor no acepta conexiones cifradas (TLS). Activa TLS en el PostgreSQL del servidor o, solo dentro de una red de confianza de la tienda, desmarca “Cifrar la conexión”.</translation>
    </message>
    <message>
        <source>The server does not let this PC in (its pg_hba.conf). Ask whoever set up the server to allow this PC&apos;s address.</source>
        <translation>El servidor no deja entrar a esta PC (su pg_hba.conf). Pide a quien configuró el servidor que permita la dirección de esta PC.</translation>
    </message>
    <message>
        <source>That database has no WaBot data yet. Start WaBot on the server first (“wabot-desktop serve --database-url …”).</source>
        <translation>Esa base de datos aún no tiene datos de WaBot. Inicia primero WaBot en el servidor (“wabot-desktop serve --database-url …”).</translation>
    </message>
    <message>
        <source>The shop&apos;s server runs an older version of WaBot. Update WaBot on the server first, then connect again.</source>
        <translation>El servidor de la tienda tiene una versión anterior de WaBot. Actualiza primero WaBot en el servidor y vuelve a conectar.</translation>
    </message>
    <message>
        <source>The shop&apos;s server runs a newer version of WaBot. Update WaBot on this PC, then connect again.</source>
        <translation>El servidor de la tienda tiene una versión más nueva de WaBot. Actualiza WaBot en esta PC y vuelve a conectar.</translation>
    </message>
    <message>
        <source>Fill in the server, the port, the database and the user.</source>
        <translation>Completa el servidor, el puerto, la base de datos y el usuario.</translation>
    </message>
    <message>
        <source>Enter the database password.</source>
        <translation>Escribe la contraseña de la base de datos.</translation>
    </message>
    <message>
        <source>The connection failed ({detail}). The details are in WaBot&apos;s log file.</source>
        <translation>La conexión falló ({detail}). Los detalles están en el archivo de registro de WaBot.</translation>
    </message>
    <message>
        <source>09:00-13:00, 16:00-20:00 or closed</source>
        <translation>09:00-13:00, 16:00-20:00 o cerrado</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>Pregunta</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Respuesta</translation>
    </message>
    <message>
        <source>Add question</source>
        <translation>Agregar pregunta</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation>Quitar la seleccionada</translation>
    </message>
    <message>
        <source>The bot answers from day one</source>
        <translation>El bot responde desde el primer día</translation>
    </message>
    <message>
        <source>Staff answers first (the bot starts paused; you switch it on later)</source>
        <translation>Responde el personal primero (el bot empieza en pausa; lo activas después)</translation>
    </message>
    <message>
        <source>Who answers</source>
        <translation>Quién responde</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>cerrado</translation>
    </message>
</context>
<context>
    <name>StepPage</name>
    <message>
        <source>Show</source>
        <translation>Mostrar</translation>
    </message>
    <message>
        <source>Where is it?</source>
        <translation>¿Dónde está?</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Verificando…</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>Stay in practice mode</source>
        <translation>Seguir en modo de prueba</translation>
    </message>
</context>
</TS>
