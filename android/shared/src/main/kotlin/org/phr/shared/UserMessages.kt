package org.phr.shared

import org.phr.ffi.PhrException

/**
 * Turns a typed error from the core into words for the owner. Wording only: which input
 * is wrong, and why, is decided by the core (the error names the field).
 */
object UserMessages {
    fun of(e: Throwable): String = when (e) {
        is PhrException.WrongKey -> "This phone's key does not unlock the record. Use your recovery key."
        is PhrException.KeyStoreUnavailable -> "The phone's secure key store is locked or unavailable. Unlock the phone and try again."
        is PhrException.NoRecord -> "There is no record on this phone yet."
        is PhrException.RecordExists -> "A record already exists here."
        is PhrException.InvalidInput -> when (e.field) {
            "sections" -> "Some of these sections can't be shared with this person: private ones never are, and sensitive ones never go to an employer or insurer."
            "passcode" -> "Use a passcode of at least 4 characters."
            else -> "Please check the ${e.field}."
        }
        is PhrException.NotFound -> "That ${e.what} no longer exists."
        is PhrException.ReadOnly -> "This came from your medical record and can't be changed. You can add a note to it or hide it."
        is PhrException.Corrupt -> "The record or backup is damaged."
        is PhrException.Storage -> "The phone could not save or read the record. Is storage full?"
        is PhrException.Incompatible -> "This record was saved by a newer version of the app. Please update."
        is PhrException.Cancelled -> "Cancelled."
        is PhrException.Network -> "Could not reach the ${e.service}. Check the connection and try again; nothing was lost."
        is PhrException.Denied -> "This phone is not, or is no longer, one of your linked devices."
        is PhrException.Internal -> "Something went wrong inside the app. Your record is unchanged."
        else -> "Something went wrong."
    }
}
