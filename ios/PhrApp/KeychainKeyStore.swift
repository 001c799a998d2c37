import CryptoKit
import Foundation
import PhrFFI
import Security

/// The record's platform key store: a random 256-bit key kept in the Keychain
/// (this device only, readable only while the phone is unlocked) wraps the record's data key with
/// AES-GCM (CryptoKit's combined format: nonce || ciphertext || tag).
final class KeychainKeyStore: KeyStore, @unchecked Sendable {
    private let account: String

    init(account: String = "phr-record-wrap-key") {
        self.account = account
    }

    func wrap(dataKey: Data) throws -> Data {
        do {
            guard let sealed = try AES.GCM.seal(dataKey, using: try key()).combined else { throw KeyStoreError.Failed }
            return sealed
        } catch let e as KeyStoreError {
            throw e
        } catch {
            throw KeyStoreError.Failed
        }
    }

    func unwrap(wrapped: Data) throws -> Data {
        let k = try key()
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: wrapped), using: k)
        } catch {
            throw KeyStoreError.WrongKey
        }
    }

    private func key() throws -> SymmetricKey {
        var query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: "org.phr.record",
            kSecAttrAccount as String: account,
            kSecReturnData as String: true,
        ]
        var item: CFTypeRef?
        switch SecItemCopyMatching(query as CFDictionary, &item) {
        case errSecSuccess:
            guard let data = item as? Data else { throw KeyStoreError.Failed }
            return SymmetricKey(data: data)
        case errSecItemNotFound:
            let key = SymmetricKey(size: .bits256)
            query.removeValue(forKey: kSecReturnData as String)
            query[kSecValueData as String] = key.withUnsafeBytes { Data($0) }
            query[kSecAttrAccessible as String] = kSecAttrAccessibleWhenUnlockedThisDeviceOnly
            guard SecItemAdd(query as CFDictionary, nil) == errSecSuccess else { throw KeyStoreError.Failed }
            return key
        case errSecInteractionNotAllowed:
            throw KeyStoreError.Unavailable
        default:
            throw KeyStoreError.Failed
        }
    }
}
