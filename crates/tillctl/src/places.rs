//! `tillctl location`, `register`, `user` and `db`: the places, the people and the database
//! roles IT sets up.

use crate::output::{self, Output};
use crate::{
    device, read_new_password, store_local, DbCommand, LocationCommand, LocationSettingsArgs, RegisterCommand,
    UserCommand,
};
use till_core::service::{self, LocationInput};
use till_core::*;

/// `location add|list|set`.
pub async fn location(store: &dyn Store, out: Output, command: LocationCommand) -> Result<(), TillError> {
    match command {
        LocationCommand::Add { code, name, preset, timezone, cutoff, currency, locale, settings } => {
            let input = LocationInput {
                code: &code,
                name: &name,
                time_zone: timezone.as_deref(),
                cutoff: cutoff.as_deref(),
                currency: currency.as_deref(),
                locale: locale.as_deref(),
                preset: preset.as_deref(),
                settings: settings.input(None, None),
            };
            out.print(&service::add_location(store, input).await?);
        }
        LocationCommand::List => out.print(&store.list_locations().await?),
        LocationCommand::Set { code, name, currency, locale, settings } => {
            let nothing = name.is_none() && currency.is_none() && locale.is_none();
            let location = if nothing && settings == LocationSettingsArgs::default() {
                store.find_location(&LocationCode::parse(&code)?).await?
            } else {
                let input = settings.input(name.as_deref(), locale.as_deref());
                service::set_location(store, &code, currency.as_deref(), input).await?
            };
            out.print(&location);
        }
    }
    Ok(())
}

/// `register add|list`.
pub async fn register(store: &dyn Store, out: Output, command: RegisterCommand) -> Result<(), TillError> {
    match command {
        RegisterCommand::Add { location, code, name } => {
            out.print(&service::add_register(store, &location, &code, name.as_deref()).await?);
        }
        RegisterCommand::List { location } => {
            let location = location.as_deref().map(LocationCode::parse).transpose()?;
            out.print(&store.list_registers(location.as_ref()).await?);
        }
    }
    Ok(())
}

/// `user add|list|unlock|set-pin|events|activate|deactivate`.
pub async fn user(store: &dyn Store, out: Output, command: UserCommand) -> Result<(), TillError> {
    match command {
        UserCommand::Add { name, role, pin } => {
            let pin = pin.read(&name)?;
            out.print(&service::add_user(store, &name, &role, &pin).await?)
        }
        UserCommand::Unlock { name, by, pin } => {
            let device = device(None)?;
            let manager_pin = match &by {
                Some(by) => Some(pin.read(by)?),
                None => None,
            };
            let manager = by.as_deref().zip(manager_pin.as_deref());
            out.print(&service::unlock_user(store, manager, &name, &device).await?)
        }
        UserCommand::SetPin { name, pin } => {
            let pin = pin.read(&name)?;
            out.print(&service::set_pin(store, &name, &pin, &device(None)?).await?)
        }
        UserCommand::Events { limit } => {
            let events = store.list_auth_events(limit).await?;
            out.print(&output::AuthEvents { events, local: store_local(store).await });
        }
        UserCommand::List => out.print(&store.list_users().await?),
        UserCommand::Deactivate { name } => out.print(&store.set_user_active(&UserName::parse(&name)?, false).await?),
        UserCommand::Activate { name } => out.print(&store.set_user_active(&UserName::parse(&name)?, true).await?),
    }
    Ok(())
}

/// `db create-terminal-role`: a role that runs the register and nothing else, bound to registers or locations.
pub async fn db(store: &dyn Store, out: Output, command: DbCommand) -> Result<(), TillError> {
    match command {
        DbCommand::CreateTerminalRole { name, password_stdin, no_password, registers, locations } => {
            let role = DbRoleName::parse(&name)?;
            // Every name is looked up before anything is created: a typo writes nothing.
            let mut binding = TerminalBinding::default();
            for register in &registers {
                binding.registers.push(store.find_register(&RegisterRef::parse(register)?).await?.id);
            }
            for location in &locations {
                binding.locations.push(store.find_location(&LocationCode::parse(location)?).await?.id);
            }
            let password = match no_password {
                true => None,
                false => Some(read_new_password(
                    password_stdin,
                    &format!("Password for role {name}: "),
                    "--password-stdin or --no-password",
                )?),
            };
            store.create_terminal_role(&role, password.as_deref()).await?;
            let bound = !(registers.is_empty() && locations.is_empty());
            if bound {
                store.bind_terminal_role(&role, &binding).await?;
            } else {
                eprintln!(
                    "note: {name} keeps its bindings; a role bound to no register acts nowhere: \
                 bind it with --register LOCATION/REGISTER or --location LOCATION"
                );
            }
            out.print(&output::TerminalRole {
                role: name,
                password_set: password.is_some(),
                registers: bound.then_some(registers),
                locations: bound.then_some(locations),
            });
        }
    }
    Ok(())
}
